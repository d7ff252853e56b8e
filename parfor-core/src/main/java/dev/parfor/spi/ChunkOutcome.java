package dev.parfor.spi;

import dev.parfor.internal.InputLoop;
import dev.parfor.internal.Timer;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * What running a chunk produced: a value or an error for each input that ran, in order, from the start of the chunk.
 * Inputs after {@link #ran()} did not run and are dispatched again unless the loop has stopped. Immutable and
 * serializable, so that a remote engine can send it back.
 */
public final class ChunkOutcome implements Serializable {

    @Serial
    private static final long serialVersionUID = 2L;

    /** One value per input that ran; {@code null} where an input failed. */
    private final @Nullable Object[] values;

    /** One error per input that ran, {@code null} where it succeeded; or {@code null} when none failed. */
    private final @Nullable Throwable @Nullable [] errors;

    /** How many inputs ran, from the start of the chunk. */
    private final int ran;

    /** How long they took together, in nanoseconds. */
    private final long nanos;

    private ChunkOutcome(@Nullable Object[] values, @Nullable Throwable @Nullable [] errors, int ran, long nanos) {
        this.values = values;
        this.errors = errors;
        this.ran = ran;
        this.nanos = nanos;
    }

    /**
     * An outcome built by an engine that runs inputs its own way.
     *
     * @param values one value per input that ran (at least {@code ran} long); {@code null} where an input failed
     * @param errors one error per input that ran, {@code null} where it succeeded; or {@code null} when none failed
     * @param ran how many inputs ran, from the start of the chunk
     * @param nanos how long they took together, in nanoseconds (0 when unknown)
     * @return the outcome
     * @throws IllegalArgumentException when {@code ran} is negative or longer than an array
     */
    public static ChunkOutcome of(
            @Nullable Object[] values, @Nullable Throwable @Nullable [] errors, int ran, long nanos) {
        Objects.requireNonNull(values, "'values' must not be null");
        if (ran < 0 || ran > values.length || (errors != null && ran > errors.length)) {
            throw new IllegalArgumentException(
                    "'ran' must be between 0 and the arrays' length (" + values.length + ") but was " + ran);
        }
        return new ChunkOutcome(values, errors, ran, Math.max(0, nanos));
    }

    /**
     * Runs a chunk's inputs on the current thread, for a remote engine's worker: each input in order, every
     * {@link Throwable} a body throws kept as that input's error. An input that overruns {@code taskTimeout} is
     * interrupted, fails with a {@link TimeoutException}, and ends the chunk there (the loop runs the inputs after it
     * again). A body that ignores the interrupt keeps this thread until it returns.
     *
     * @param task the loop body
     * @param firstIndex the index of the first input
     * @param inputs the inputs
     * @param context the loop's context
     * @param cancelled checked before each input; when it returns {@code true} the rest do not run
     * @param taskTimeout the longest time one input may run, or {@code null} for none (see {@link Chunk#taskTimeout})
     * @return the outcome to send back and pass to {@link Chunk#complete}
     */
    public static ChunkOutcome execute(
            Chunk.Task task,
            long firstIndex,
            List<?> inputs,
            @Nullable Object context,
            BooleanSupplier cancelled,
            @Nullable Duration taskTimeout) {
        Objects.requireNonNull(task, "'task' must not be null");
        Objects.requireNonNull(inputs, "'inputs' must not be null");
        Objects.requireNonNull(cancelled, "'cancelled' must not be null");
        int size = inputs.size();
        Worker worker = new Worker(task, firstIndex, context, cancelled, taskTimeout, size);
        long start = System.nanoTime();
        int ran = worker.run(inputs, size);
        return new ChunkOutcome(worker.values(), worker.errors(), ran, System.nanoTime() - start);
    }

    /**
     * How a remote worker runs each input, in the loop local chunks run too: after a cancellation check that cannot
     * throw, under a timer that interrupts the body when it overruns; the input then fails with a {@link
     * TimeoutException} once the body returns, and the chunk ends there. An input that cannot be read fails with what
     * reading it threw.
     */
    private static final class Worker extends InputLoop {
        private final BooleanSupplier cancelled;
        private final @Nullable Duration taskTimeout;
        private final long timeoutNanos;
        private final Thread thread = Thread.currentThread();
        private @Nullable Overrun overrun;
        private @Nullable ScheduledFuture<?> timer;
        private boolean timedOut;

        Worker(
                Chunk.Task task,
                long firstIndex,
                @Nullable Object context,
                BooleanSupplier cancelled,
                @Nullable Duration taskTimeout,
                int size) {
            super(
                    task,
                    firstIndex,
                    context,
                    new Object[size],
                    0,
                    null,
                    taskTimeout != null && taskTimeout.toNanos() > 0);
            this.cancelled = cancelled;
            this.taskTimeout = taskTimeout;
            this.timeoutNanos = taskTimeout == null ? 0 : taskTimeout.toNanos();
        }

        @Nullable
        Object[] values() {
            return values;
        }

        @Override
        protected boolean stopsBefore(int offset) {
            try {
                return cancelled.getAsBoolean();
            } catch (Throwable e) {
                return true; // a broken cancellation check must not run the rest of the chunk for nothing
            }
        }

        @Override
        protected boolean unreadable(int offset, Throwable error) {
            return false;
        }

        @Override
        protected boolean starts(int offset) {
            return true;
        }

        @Override
        protected void enter(int offset) {
            timedOut = false;
            Overrun armed = new Overrun(thread);
            overrun = armed;
            timer = Timer.schedule(armed, timeoutNanos);
        }

        @Override
        protected @Nullable Throwable exit(int offset, @Nullable Throwable failure) {
            Overrun armed = overrun;
            ScheduledFuture<?> scheduled = timer;
            overrun = null;
            timer = null;
            if (armed == null || scheduled == null || !armed.disarm(scheduled)) {
                return failure;
            }
            timedOut = true;
            values[offset] = null;
            return new TimeoutException(
                    "task exceeded its task timeout of " + taskTimeout + "; the body was interrupted");
        }

        @Override
        protected boolean endsAt(int offset, @Nullable Throwable failure) {
            return timedOut;
        }
    }

    /**
     * How many inputs ran, from the start of the chunk.
     *
     * @return the count
     */
    public int ran() {
        return ran;
    }

    /**
     * How long the inputs took together.
     *
     * @return nanoseconds, 0 when unknown
     */
    public long nanos() {
        return nanos;
    }

    /**
     * The error of one input.
     *
     * @param offset the input's position in the chunk
     * @return the error, or {@code null} when it succeeded or did not run
     */
    public @Nullable Throwable error(int offset) {
        return errors == null ? null : errors[offset];
    }

    /**
     * The value of one input.
     *
     * @param offset the input's position in the chunk
     * @return the value, or {@code null}
     */
    public @Nullable Object value(int offset) {
        return values[offset];
    }

    /**
     * A copy with one input's value replaced by an error, for a remote engine whose value could not be sent back (for
     * example, because it is not serializable).
     *
     * @param offset the input's position in the chunk, below {@link #ran()}
     * @param error what went wrong
     * @return the copy
     */
    public ChunkOutcome withError(int offset, Throwable error) {
        Objects.requireNonNull(error, "'error' must not be null");
        if (offset < 0 || offset >= ran) {
            throw new IllegalArgumentException(
                    "'offset' must be between 0 and " + (ran - 1) + " (inputs that ran) but was " + offset);
        }
        Object[] v = values.clone();
        Throwable[] e = errors == null ? new Throwable[v.length] : errors.clone();
        v[offset] = null;
        e[offset] = error;
        return new ChunkOutcome(v, e, ran, nanos);
    }

    /** Interrupts the worker once when an input overruns; disarmed when the input ends first. */
    private static final class Overrun implements Runnable {
        private final Thread thread;
        private boolean disarmed;
        private boolean fired;

        Overrun(Thread thread) {
            this.thread = thread;
        }

        @Override
        public synchronized void run() {
            if (!disarmed) {
                fired = true;
                thread.interrupt();
            }
        }

        /** Returns whether the timer fired; clears the interrupt it delivered. */
        synchronized boolean disarm(ScheduledFuture<?> timer) {
            timer.cancel(false);
            disarmed = true;
            if (fired) {
                Thread.interrupted();
            }
            return fired;
        }
    }
}
