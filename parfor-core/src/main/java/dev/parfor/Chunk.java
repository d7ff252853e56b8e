package dev.parfor;

import java.io.Serial;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A contiguous run of a loop's inputs, handed to an {@link Engine}. A local engine calls {@link #run()} on one of
 * its threads; a remote engine ships {@link #task()}, {@link #inputs()} and the loop's context elsewhere, runs them
 * there with {@link #execute}, and reports back with {@link #complete} (or {@link #fail} when the chunk could not
 * run at all). A chunk ends exactly once; later reports are ignored.
 */
public final class Chunk {

    /**
     * The loop body in the one form every engine runs: the input's index, the input and the loop's context in, the
     * result out. Serializable so that remote engines can ship it.
     */
    @FunctionalInterface
    public interface Task extends Serializable {
        /**
         * Runs the body for one input.
         *
         * @param index the input's position in the loop
         * @param input the input
         * @param context the loop's context
         * @return the result
         * @throws Exception when the input fails
         */
        @Nullable
        Object apply(long index, @Nullable Object input, @Nullable Object context) throws Exception;
    }

    /**
     * What running a chunk produced: a value or an error for each input that ran, in order. Serializable, so a
     * remote engine can send it back.
     */
    public static final class Outcome implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        /** The values, or null when the chunk wrote them straight into the loop's results. */
        final @Nullable Object @Nullable [] values;
        /** The errors, or null when no input failed. */
        final @Nullable Throwable @Nullable [] errors;

        final int ran;
        final long nanos;
        final int timedOut;

        Outcome(
                @Nullable Object @Nullable [] values,
                @Nullable Throwable @Nullable [] errors,
                int ran,
                long nanos,
                int timedOut) {
            this.values = values;
            this.errors = errors;
            this.ran = ran;
            this.nanos = nanos;
            this.timedOut = timedOut;
        }

        /**
         * How many inputs ran, from the start of the chunk; inputs after them did not run (the loop was cancelled)
         * and are dispatched again unless the loop has stopped.
         *
         * @return the count
         */
        public int ran() {
            return ran;
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
            return values == null ? null : values[offset];
        }

        /**
         * A copy with one input's value replaced by an error, for a remote engine whose value could not be sent
         * back (for example, because it is not serializable).
         *
         * @param offset the input's position in the chunk
         * @param error what went wrong
         * @return the copy
         */
        public Outcome withError(int offset, Throwable error) {
            Object[] v = values == null ? new Object[ran] : values.clone();
            Throwable[] e = errors == null ? new Throwable[v.length] : errors.clone();
            v[offset] = null;
            e[offset] = error;
            return new Outcome(v, e, ran, nanos, timedOut);
        }
    }

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int ENDED = 2;

    static final ThreadLocal<int[]> WORKER_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    final LoopRun<?, ?> loop;
    final long firstIndex;
    final List<?> inputs;
    final int attempt;

    private final AtomicInteger state = new AtomicInteger(NEW);
    private volatile boolean cancelled;
    // Guarded by this: the thread running the chunk, so that cancellation interrupts the right thread only.
    private @Nullable Thread runner;
    private boolean interruptedByLoop;
    private int current = -1;
    private long startNanos;
    private @Nullable Object @Nullable [] runValues;
    private @Nullable Throwable @Nullable [] runErrors;

    Chunk(LoopRun<?, ?> loop, long firstIndex, List<?> inputs, int attempt) {
        this.loop = loop;
        this.firstIndex = firstIndex;
        this.inputs = inputs;
        this.attempt = attempt;
    }

    /**
     * The id of this run of the loop; unique, and the same for every chunk of the run.
     *
     * @return the id
     */
    public String loopId() {
        return loop.info.id();
    }

    /**
     * The loop's name.
     *
     * @return the name
     */
    public String loopName() {
        return loop.info.name();
    }

    /**
     * The index of the chunk's first input in the loop.
     *
     * @return the index, from 0
     */
    public long firstIndex() {
        return firstIndex;
    }

    /**
     * The chunk's inputs, in order.
     *
     * @return the inputs; do not modify
     */
    public List<?> inputs() {
        return inputs;
    }

    /**
     * Which attempt this is for its inputs: 1 for the first run, more for a retry (a retry has one input).
     *
     * @return the attempt
     */
    public int attempt() {
        return attempt;
    }

    /**
     * The loop body.
     *
     * @return the body, serializable when the user's body is
     */
    public Task task() {
        return loop.task;
    }

    /**
     * The loop's shared context.
     *
     * @return the context, or {@code null} when the loop has none
     */
    public @Nullable Object context() {
        return loop.context;
    }

    /**
     * Whether the loop no longer wants this chunk's results (it failed fast, timed out or was cancelled). Engines
     * that cannot interrupt a running task should check it, or the loop-wide flag they derive from it.
     *
     * @return {@code true} once cancelled
     */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Runs the chunk on the current thread and reports its outcome to the loop. Does nothing when the chunk has
     * already been run or cancelled. Never throws for a failing input: failures are part of the outcome.
     */
    public void run() {
        if (!state.compareAndSet(NEW, RUNNING)) {
            return;
        }
        boolean skip;
        synchronized (this) {
            skip = cancelled;
            if (!skip) {
                runner = Thread.currentThread();
            }
        }
        if (skip) {
            state.set(ENDED);
            loop.chunkEnded(this, new Outcome(new Object[0], new Throwable[0], 0, 0, -1));
            return;
        }
        int[] depth = WORKER_DEPTH.get();
        depth[0]++;
        Outcome outcome;
        ContextPropagator.Scope scope = loop.installContext();
        try {
            outcome = runHere();
        } finally {
            scope.close();
            depth[0]--;
            synchronized (this) {
                runner = null;
                if (interruptedByLoop) {
                    // The interrupt was ours, aimed at this chunk; do not leak it to the pool's next task.
                    Thread.interrupted();
                }
            }
        }
        if (state.compareAndSet(RUNNING, ENDED)) {
            loop.chunkEnded(this, outcome);
        }
    }

    private Outcome runHere() {
        return loop.taskTimeoutNanos > 0 ? runTimed() : runFast();
    }

    /** Without task timeouts nothing can abandon the chunk, so values may go straight into the loop's results. */
    private Outcome runFast() {
        int size = inputs.size();
        Object[] direct = loop.directResults();
        Object[] values = direct != null ? direct : new Object[size];
        int base = direct != null ? (int) firstIndex : 0;
        Throwable[] errors = null;
        long start = System.nanoTime();
        int ran = 0;
        Task task = loop.task;
        Object context = loop.context;
        for (int i = 0; i < size && !cancelled && !loop.halting; i++) {
            Object input = inputs.get(i);
            try {
                values[base + i] = task.apply(firstIndex + i, input, context);
            } catch (Throwable error) {
                if (errors == null) {
                    errors = new Throwable[size];
                }
                errors[i] = error;
                if (!cancelled) {
                    loop.taskFailedEarly(this, firstIndex + i, input, error);
                }
            }
            ran = i + 1;
        }
        return new Outcome(direct != null ? null : values, errors, ran, System.nanoTime() - start, -1);
    }

    private Outcome runTimed() {
        int size = inputs.size();
        Object[] values = new Object[size];
        Throwable[] errors = new Throwable[size];
        long start = System.nanoTime();
        synchronized (this) {
            runValues = values;
            runErrors = errors;
            startNanos = start;
        }
        int ran = 0;
        Task task = loop.task;
        Object context = loop.context;
        long taskTimeoutNanos = loop.taskTimeoutNanos;
        for (int i = 0; i < size && !cancelled && !loop.halting; i++) {
            synchronized (this) {
                current = i;
            }
            int offset = i;
            ScheduledFuture<?> timer = Timer.schedule(() -> taskTimedOut(offset), taskTimeoutNanos);
            try {
                values[i] = task.apply(firstIndex + i, inputs.get(i), context);
            } catch (Throwable error) {
                errors[i] = error;
                // After a task timeout the chunk is abandoned: the interrupt's InterruptedException is not a failure.
                if (!cancelled && state.get() == RUNNING) {
                    loop.taskFailedEarly(this, firstIndex + i, inputs.get(i), error);
                }
            } finally {
                timer.cancel(false);
            }
            ran = i + 1;
            if (state.get() == ENDED) {
                break; // abandoned after a task timeout: the outcome was already reported
            }
        }
        return new Outcome(values, errors, ran, System.nanoTime() - start, -1);
    }

    /** The task at {@code offset} overran its timeout: report the chunk ended there and interrupt the thread. */
    private void taskTimedOut(int offset) {
        Thread thread;
        Object[] values = new Object[inputs.size()];
        Throwable[] errors = new Throwable[inputs.size()];
        long nanos;
        synchronized (this) {
            if (current != offset || runner == null || runValues == null || runErrors == null) {
                return;
            }
            if (!state.compareAndSet(RUNNING, ENDED)) {
                return;
            }
            thread = runner;
            // Inputs before the timed-out one have finished and their slots no longer change; the runner keeps
            // writing its own arrays, which this copy does not share.
            System.arraycopy(runValues, 0, values, 0, offset);
            System.arraycopy(runErrors, 0, errors, 0, offset);
            nanos = System.nanoTime() - startNanos;
        }
        errors[offset] = new TimeoutException("task exceeded its task timeout of "
                + java.time.Duration.ofNanos(loop.taskTimeoutNanos) + "; the body was interrupted");
        loop.chunkEnded(this, new Outcome(values, errors, offset + 1, nanos, offset));
        synchronized (this) {
            if (runner == thread) {
                interruptedByLoop = true;
                thread.interrupt();
            }
        }
    }

    /**
     * Reports the outcome of a chunk run elsewhere. Ignored when the chunk has already ended.
     *
     * @param outcome what {@link #execute} returned
     */
    public void complete(Outcome outcome) {
        Checks.notNull(outcome, "outcome");
        // A remote engine's chunk is never run() here, so it goes from NEW straight to ENDED.
        if (state.compareAndSet(NEW, ENDED)) {
            loop.chunkEnded(this, outcome);
        }
    }

    /**
     * Reports that the chunk could not run at all; every input in it fails with {@code error} (and may be retried).
     * Ignored when the chunk has already ended.
     *
     * @param error why the chunk could not run
     */
    public void fail(Throwable error) {
        Checks.notNull(error, "error");
        int size = inputs.size();
        Throwable[] errors = new Throwable[size];
        java.util.Arrays.fill(errors, error);
        complete(new Outcome(new Object[size], errors, size, 0, -1));
    }

    /**
     * Runs a chunk's inputs on the current thread, the way {@link #run()} does, for a remote engine's worker.
     *
     * @param task the loop body
     * @param firstIndex the index of the first input
     * @param inputs the inputs
     * @param context the loop's context
     * @param cancelled checked before each input; when it returns {@code true} the rest do not run
     * @return the outcome to send back and pass to {@link #complete}
     */
    public static Outcome execute(
            Task task, long firstIndex, List<?> inputs, @Nullable Object context, BooleanSupplier cancelled) {
        return execute(task, firstIndex, inputs, context, cancelled, null);
    }

    /**
     * Runs a chunk's inputs on the current thread with a task timeout, for a remote engine's worker: an input that
     * overruns is interrupted, fails with a {@link TimeoutException}, and ends the chunk there (the loop runs the
     * inputs after it again). A body that ignores the interrupt keeps this thread until it returns.
     *
     * @param task the loop body
     * @param firstIndex the index of the first input
     * @param inputs the inputs
     * @param context the loop's context
     * @param cancelled checked before each input; when it returns {@code true} the rest do not run
     * @param taskTimeout the longest time one input may run, or {@code null} for none (see {@link #taskTimeout()})
     * @return the outcome to send back and pass to {@link #complete}
     */
    public static Outcome execute(
            Task task,
            long firstIndex,
            List<?> inputs,
            @Nullable Object context,
            BooleanSupplier cancelled,
            java.time.@Nullable Duration taskTimeout) {
        Checks.notNull(task, "task");
        Checks.notNull(inputs, "inputs");
        Checks.notNull(cancelled, "cancelled");
        long timeoutNanos = taskTimeout == null
                ? 0
                : Checks.positive(taskTimeout, "taskTimeout").toNanos();
        int size = inputs.size();
        Object[] values = new Object[size];
        Throwable[] errors = null;
        long start = System.nanoTime();
        int ran = 0;
        int timedOut = -1;
        Thread thread = Thread.currentThread();
        for (int i = 0; i < size && !cancelled.getAsBoolean(); i++) {
            java.util.concurrent.atomic.AtomicBoolean overran = new java.util.concurrent.atomic.AtomicBoolean();
            ScheduledFuture<?> timer = null;
            if (timeoutNanos > 0) {
                timer = Timer.schedule(
                        () -> {
                            synchronized (overran) {
                                if (overran.compareAndSet(false, true)) {
                                    thread.interrupt();
                                }
                            }
                        },
                        timeoutNanos);
            }
            Throwable failure = null;
            try {
                values[i] = task.apply(firstIndex + i, inputs.get(i), context);
            } catch (Throwable error) {
                failure = error;
            }
            if (timer != null) {
                timer.cancel(false);
                synchronized (overran) {
                    // From here on the timer cannot interrupt; clear an interrupt it already delivered.
                    if (!overran.compareAndSet(false, true)) {
                        Thread.interrupted();
                        failure = new TimeoutException(
                                "task exceeded its task timeout of " + taskTimeout + "; the body was interrupted");
                        values[i] = null;
                        timedOut = i;
                    }
                }
            }
            if (failure != null) {
                if (errors == null) {
                    errors = new Throwable[size];
                }
                errors[i] = failure;
            }
            ran = i + 1;
            if (timedOut >= 0) {
                break;
            }
        }
        return new Outcome(values, errors, ran, System.nanoTime() - start, timedOut);
    }

    /**
     * The longest time one input of this chunk may run, for remote engines to pass to {@link #execute}; local
     * engines need not care, {@link #run()} enforces it.
     *
     * @return the task timeout, or {@code null} when the loop has none
     */
    public java.time.@Nullable Duration taskTimeout() {
        return loop.taskTimeoutNanos > 0 ? java.time.Duration.ofNanos(loop.taskTimeoutNanos) : null;
    }

    /** Called by the loop when it stops: a chunk not started never runs; a running one is interrupted. */
    void cancel() {
        cancelled = true;
        if (state.compareAndSet(NEW, ENDED)) {
            return;
        }
        synchronized (this) {
            if (runner != null && state.get() == RUNNING) {
                interruptedByLoop = true;
                runner.interrupt();
            }
        }
    }

    synchronized boolean interruptedByLoop() {
        return interruptedByLoop;
    }

    boolean isNew() {
        return state.get() == NEW;
    }

    static boolean onWorkerThread() {
        return WORKER_DEPTH.get()[0] > 0;
    }

    /** One shared daemon thread for task timeouts, loop deadlines and retry backoff. */
    static final class Timer {
        private static final java.util.concurrent.ScheduledThreadPoolExecutor TIMER;

        static {
            TIMER = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "parfor-timer");
                t.setDaemon(true);
                return t;
            });
            TIMER.setRemoveOnCancelPolicy(true);
        }

        private Timer() {}

        static ScheduledFuture<?> schedule(Runnable action, long nanos) {
            return TIMER.schedule(action, nanos, TimeUnit.NANOSECONDS);
        }
    }
}
