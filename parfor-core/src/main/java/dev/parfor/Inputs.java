package dev.parfor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.RandomAccess;
import java.util.Spliterator;
import java.util.Spliterators;
import org.jspecify.annotations.Nullable;

/**
 * A loop's inputs, as the scheduler reads them. A random-access list is cut into chunks by index (each chunk a view,
 * nothing copied) by whichever thread dispatches; every other source is read lazily through its iterator, only by
 * the thread that consumes the loop (its caller, or the reader of a result stream), outside the loop's lock.
 */
abstract sealed class Inputs permits Inputs.Indexed, Inputs.Lazy {

    /** How many inputs there are, when known up front; -1 otherwise. */
    abstract long size();

    /**
     * Adapts what the user passed. Runs the user's {@code size()}, {@code iterator()} or {@code spliterator()} on the
     * calling thread; the caller fences it.
     */
    static Inputs of(Object inputs) {
        if (inputs instanceof List<?> list && inputs instanceof RandomAccess) {
            return new Indexed(list, list.size());
        }
        if (inputs instanceof Collection<?> collection) {
            return new Lazy(collection.iterator(), collection.size());
        }
        // Any other Iterable, a stream's iterator method among them: its size when its spliterator knows it.
        Spliterator<?> spliterator = ((Iterable<?>) inputs).spliterator();
        return new Lazy(Spliterators.iterator(spliterator), spliterator.getExactSizeIfKnown());
    }

    /** A random-access list, read by index; its size is taken once, when the loop starts. */
    static final class Indexed extends Inputs {
        final List<?> list;
        final int size;

        Indexed(List<?> list, int size) {
            this.list = list;
            this.size = size;
        }

        @Override
        long size() {
            return size;
        }
    }

    /**
     * An iterator, read lazily by the loop's consumer, outside the loop's lock. When the loop stops (at its deadline,
     * on the timer) a read that blocks is interrupted, the interrupt cleared when it returns, and no read starts again.
     */
    static final class Lazy extends Inputs {
        final Iterator<?> iterator;
        final long size;
        // Guarded by this.
        private @Nullable Thread reading;
        private boolean interrupted;
        private boolean stopped;

        Lazy(Iterator<?> iterator, long size) {
            this.iterator = iterator;
            this.size = size;
        }

        @Override
        long size() {
            return size;
        }

        /**
         * What one read gave: up to the size asked for, then whether the source has no more, or what it threw (a
         * source that failed is not read again: later inputs would land at the wrong indices).
         */
        record Batch(
                List<Object> inputs, boolean end, @Nullable Throwable failure) {}

        /** Reads up to {@code size} inputs on the calling thread (none once stopped), fencing what the source throws. */
        Batch read(int size) {
            synchronized (this) {
                if (stopped) {
                    return new Batch(List.of(), false, null);
                }
                reading = Thread.currentThread();
            }
            List<Object> batch = new ArrayList<>(Math.min(size, 1024));
            Throwable failure = null;
            boolean end = false;
            try {
                while (batch.size() < size && iterator.hasNext()) {
                    batch.add(iterator.next());
                }
                end = !iterator.hasNext();
            } catch (Throwable e) {
                failure = e;
            } finally {
                synchronized (this) {
                    reading = null;
                    if (interrupted) {
                        interrupted = false;
                        Thread.interrupted(); // ours, sent while the read ran
                    }
                }
            }
            return new Batch(batch, end, failure);
        }

        /** Interrupts a read in progress, if any, and refuses every later one. */
        synchronized void stop() {
            stopped = true;
            if (reading != null) {
                interrupted = true;
                reading.interrupt();
            }
        }
    }
}
