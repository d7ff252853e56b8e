package dev.parfor;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * The Cartesian product of two inputs as a random-access list of pairs, row-major (the second varies fastest):
 * nothing is materialised, pair {@code i} is computed when read. Also splits inputs into contiguous parts for {@code
 * mapChunks}.
 */
final class Product extends AbstractList<List<@Nullable Object>> implements RandomAccess {

    private final List<?> as;
    private final List<?> bs;
    private final int size;

    private Product(List<?> as, List<?> bs, int size) {
        this.as = as;
        this.bs = bs;
        this.size = size;
    }

    static Product of(Iterable<?> as, Iterable<?> bs) {
        List<Object> first = new ArrayList<>();
        Checks.notNull(as, "as").forEach(first::add);
        List<Object> second = new ArrayList<>();
        Checks.notNull(bs, "bs").forEach(second::add);
        long total = (long) first.size() * second.size();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("'as' and 'bs' must make at most " + (Integer.MAX_VALUE - 8)
                    + " pairs but made " + first.size() + " x " + second.size() + "; split the work into several"
                    + " loops");
        }
        return new Product(first, second, (int) total);
    }

    @Override
    public List<@Nullable Object> get(int index) {
        return Arrays.asList(as.get(index / bs.size()), bs.get(index % bs.size()));
    }

    @Override
    public int size() {
        return size;
    }

    /** Splits {@code inputs} into {@code parts} contiguous lists whose sizes differ by at most one. */
    static <T> List<List<T>> split(Iterable<? extends T> inputs, int parts) {
        List<T> all = new ArrayList<>();
        inputs.forEach(all::add);
        int count = Math.min(parts, all.size());
        List<List<T>> split = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = (int) ((long) all.size() * i / count);
            int to = (int) ((long) all.size() * (i + 1) / count);
            split.add(new ArrayList<>(all.subList(from, to)));
        }
        return split;
    }
}
