package dev.parfor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a loop's values go, one kind per terminal: an array by input index ({@code map}, {@code run}), or a bounded
 * window handed to the consumer in input order ({@code stream}), in completion order ({@code streamAsCompleted}), or
 * not kept at all ({@code forEach}). Not thread-safe: the loop's lock guards every method, except that local chunks
 * may write into {@link Array#directArray} for their own indices without it.
 */
abstract sealed class Sink permits Sink.Array, Sink.Window {

    /** The sink of a terminal: {@code total} inputs (-1 when unknown), {@code direct} when chunks may write in place. */
    static Sink of(Plan.Mode mode, long total, boolean direct) {
        return switch (mode) {
            case ALL -> new Array(total, direct);
            case ORDERED -> new Window(Window.Order.INPUT);
            case COMPLETION -> new Window(Window.Order.COMPLETION);
            case DISCARD -> new Window(Window.Order.NONE);
        };
    }

    /** Inputs up to {@code read} (exclusive) have been read and are pending. */
    abstract void extend(long read);

    abstract void value(long index, @Nullable Object value);

    /** An input failed for good (under COLLECT; FAIL_FAST stops the loop instead). */
    abstract void failed(long index);

    /** The oldest input whose slot is still held: the loop reads at most a window ahead of it. */
    abstract long low();

    /** Moves up to {@code max} deliverable values into {@code out}; failed inputs are skipped. */
    int drain(List<@Nullable Object> out, int max) {
        return 0;
    }

    /**
     * Every value by input index. When the number of inputs is known, local chunks write their values straight into
     * an array of that size, which is never replaced (a source that yields more inputs than its size said puts the
     * extra values in a second list). Otherwise values arrive with their chunk's outcome and the array grows.
     */
    static final class Array extends Sink {
        private static final int MAX = Integer.MAX_VALUE - 8;

        private final boolean direct;
        private @Nullable Object[] values;
        private final List<@Nullable Object> overflow = new ArrayList<>(0);
        private long read;

        Array(long knownSize, boolean direct) {
            this.direct = direct && knownSize >= 0 && knownSize <= MAX;
            this.values = new Object[(int) (knownSize >= 0 ? Math.min(knownSize, MAX) : 16)];
        }

        /** The array a local chunk may write its values into, or null when its values must come back with it. */
        @Nullable
        Object @Nullable [] directArray(long firstIndex, int size) {
            return direct && firstIndex + size <= values.length ? values : null;
        }

        @Override
        void extend(long read) {
            this.read = read;
            if (!direct && read > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(MAX, Math.max(read, 2L * values.length)));
            }
        }

        @Override
        void value(long index, @Nullable Object value) {
            if (index < values.length) {
                values[(int) index] = value;
                return;
            }
            int at = (int) (index - values.length);
            while (overflow.size() <= at) {
                overflow.add(null);
            }
            overflow.set(at, value);
        }

        @Override
        void failed(long index) {
            value(index, null);
        }

        @Override
        long low() {
            return 0; // keeps everything: map and run have no window
        }

        /** The values of every input read, in input order; failed inputs hold null. */
        List<@Nullable Object> values() {
            if (read <= values.length && overflow.isEmpty()) {
                return Arrays.asList(read == values.length ? values : Arrays.copyOf(values, (int) read));
            }
            List<@Nullable Object> all = new ArrayList<>((int) Math.min(MAX, read));
            all.addAll(Arrays.asList(values).subList(0, (int) Math.min(read, values.length)));
            all.addAll(overflow.subList(0, (int) Math.min(overflow.size(), Math.max(0, read - values.length))));
            return all;
        }
    }

    /** A bounded window of values waiting for the consumer. */
    static final class Window extends Sink {
        enum Order {
            INPUT,
            COMPLETION,
            NONE
        }

        private final Ring ring;
        private final Order order;
        private final ArrayDeque<Long> completed = new ArrayDeque<>();

        Window(Order order) {
            this.order = order;
            this.ring = new Ring(1024);
        }

        @Override
        void extend(long read) {
            ring.extendTo(read);
        }

        @Override
        void value(long index, @Nullable Object value) {
            switch (order) {
                case INPUT -> ring.set(index, value, Ring.OK);
                case COMPLETION -> {
                    ring.set(index, value, Ring.OK);
                    completed.add(index);
                }
                case NONE -> ring.take(index);
            }
        }

        @Override
        void failed(long index) {
            if (order == Order.INPUT) {
                ring.set(index, null, Ring.FAILED);
            } else {
                ring.take(index);
            }
        }

        @Override
        long low() {
            return ring.low();
        }

        @Override
        int drain(List<@Nullable Object> out, int max) {
            int moved = 0;
            if (order == Order.COMPLETION) {
                while (moved < max && !completed.isEmpty()) {
                    long index = completed.poll();
                    out.add(ring.value(index));
                    ring.take(index);
                    moved++;
                }
                return moved;
            }
            while (moved < max && ring.low() < ring.high() && ring.state(ring.low()) != Ring.PENDING) {
                if (ring.state(ring.low()) == Ring.OK) {
                    out.add(ring.value(ring.low()));
                    moved++;
                }
                ring.advance();
            }
            return moved;
        }
    }
}
