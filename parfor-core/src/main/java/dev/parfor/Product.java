package dev.parfor;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * The Cartesian product of a few axes as a random-access list, row-major (the last axis varies fastest): nothing is
 * materialised, combination {@code i} is computed when read. Also splits inputs into contiguous parts for {@code
 * mapChunks}.
 */
final class Product extends AbstractList<List<@Nullable Object>> implements RandomAccess {

    private final List<List<?>> axes;
    private final int size;

    private Product(List<List<?>> axes, int size) {
        this.axes = axes;
        this.size = size;
    }

    static Product of(List<? extends Iterable<?>> axes) {
        if (axes.isEmpty()) {
            throw new IllegalArgumentException("'axes' must hold at least one axis but was empty");
        }
        List<List<?>> lists = new ArrayList<>(axes.size());
        long total = 1;
        for (int i = 0; i < axes.size(); i++) {
            List<Object> list = new ArrayList<>();
            Checks.notNull(axes.get(i), "axes[" + i + "]").forEach(list::add);
            lists.add(list);
            total *= list.size();
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("'axes' must have at most " + (Integer.MAX_VALUE - 8)
                        + " combinations but had more; split" + " the work into several loops");
            }
        }
        return new Product(List.copyOf(lists), (int) total);
    }

    @Override
    public List<@Nullable Object> get(int index) {
        long rest = index;
        Object[] combination = new Object[axes.size()];
        for (int axis = axes.size() - 1; axis >= 0; axis--) {
            List<?> values = axes.get(axis);
            combination[axis] = values.get((int) (rest % values.size()));
            rest /= values.size();
        }
        return Arrays.asList(combination);
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
