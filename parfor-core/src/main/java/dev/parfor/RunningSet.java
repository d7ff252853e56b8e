package dev.parfor;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * The running-loops registry of one {@link ParallelFor}: every loop joins it when it starts and leaves it when it
 * ends, so both happen on every loop and must cost little. A loop takes a free slot of a small table, searched from a
 * place that depends on the starting thread (which is in nearly every case the thread that ends the loop): joining
 * and leaving cost one compare-and-set and one store, with no map node, lock or identity hash code. Loops beyond the
 * table's slots go to a concurrent set. Thread-safe; iteration is weakly consistent, like a concurrent set's.
 *
 * @param <T> the loops, compared by identity
 */
final class RunningSet<T> extends AbstractSet<T> {

    private static final int SLOTS = 64;
    private static final int MASK = SLOTS - 1;

    private final AtomicReferenceArray<@Nullable T> slots = new AtomicReferenceArray<>(SLOTS);
    private final Set<T> overflow = ConcurrentHashMap.newKeySet();

    /** Adds a loop that is not in the set yet; always true. */
    @Override
    public boolean add(T loop) {
        int home = home();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (home + i) & MASK;
            if (slots.getPlain(slot) == null && slots.compareAndSet(slot, null, loop)) {
                return true;
            }
        }
        return overflow.add(loop);
    }

    /** Removes a loop; only the one call that ends a loop removes it. */
    @Override
    public boolean remove(@Nullable Object loop) {
        if (loop == null) {
            return false;
        }
        int home = home();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (home + i) & MASK;
            if (slots.get(slot) == loop) {
                slots.setRelease(slot, null);
                return true;
            }
        }
        return !overflow.isEmpty() && overflow.remove(loop);
    }

    @Override
    public boolean isEmpty() {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (slots.get(slot) != null) {
                return false;
            }
        }
        return overflow.isEmpty();
    }

    @Override
    public int size() {
        return snapshot().size();
    }

    @Override
    public Iterator<T> iterator() {
        Iterator<T> snapshot = snapshot().iterator();
        return new Iterator<>() {
            private @Nullable T last;

            @Override
            public boolean hasNext() {
                return snapshot.hasNext();
            }

            @Override
            public T next() {
                T next = snapshot.next();
                last = next;
                return next;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException();
                }
                RunningSet.this.remove(last);
                last = null;
            }
        };
    }

    private List<T> snapshot() {
        List<T> loops = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            T loop = slots.get(slot);
            if (loop != null) {
                loops.add(loop);
            }
        }
        loops.addAll(overflow);
        return loops;
    }

    /** The first slot a thread tries: threads that start loops at the same time mostly start apart. */
    private static int home() {
        return (int) Thread.currentThread().threadId() & MASK;
    }
}
