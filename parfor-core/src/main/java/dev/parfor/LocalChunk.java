package dev.parfor;

import dev.parfor.spi.Chunk;
import dev.parfor.spi.ChunkOutcome;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The scheduler's chunk, and the one loop that runs a chunk's inputs in this JVM.
 *
 * <p>State machine: {@code NEW -> RUNNING -> ENDED}, or {@code NEW -> ENDED} when cancelled before it ran or completed
 * by a remote engine. Whoever moves it to {@code ENDED} reports the outcome, exactly once: the thread that ran it, or
 * the timer when an input overran its task timeout (the chunk is then abandoned: the loop goes on without waiting for
 * the body, and the runner stops after it). {@code runner}, {@code current}, {@code interruptedByLoop} and the
 * arrays of a timed run are guarded by {@code this}; no user code runs while holding it.
 */
final class LocalChunk implements Chunk {

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int ENDED = 2;

    /**
     * How many chunks the current thread is running, so that a loop started inside a body knows its caller is a
     * worker and helps run its own chunks while it waits (what keeps nested loops from starving a full pool). It
     * describes the thread, not a loop.
     */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    final LoopRun loop;
    final long firstIndex;
    final int attempt;
    final int size;
    private final List<?> source;
    private final int from;
    private final boolean whole;
    /** The size the source list had when the loop started, or -1 for a list of the loop's own. */
    private final int expectedSize;

    private final AtomicInteger state = new AtomicInteger(NEW);
    /** Where the chunk sits in its queue's running list, or -1; guarded by the loop's lock. */
    int runningSlot = -1;

    private volatile boolean cancelled;
    private @Nullable Thread runner;
    private boolean interruptedByLoop;
    private int current = -1;
    private long startNanos;
    private @Nullable Object @Nullable [] timedValues;
    private @Nullable Throwable @Nullable [] timedErrors;

    /** A chunk over all of {@code inputs} (inputs read from a lazy source, or a retry). */
    LocalChunk(LoopRun loop, long firstIndex, List<?> inputs, int attempt) {
        this(loop, firstIndex, inputs, 0, inputs.size(), attempt, true, -1);
    }

    /**
     * A chunk over {@code size} elements of the user's random-access list, from {@code from}; {@code expectedSize} is
     * the list's size when the loop started, checked again before the chunk reads it.
     */
    LocalChunk(
            LoopRun loop,
            long firstIndex,
            List<?> source,
            int from,
            int size,
            int attempt,
            boolean whole,
            int expectedSize) {
        this.loop = loop;
        this.firstIndex = firstIndex;
        this.source = source;
        this.from = from;
        this.size = size;
        this.attempt = attempt;
        this.whole = whole;
        this.expectedSize = expectedSize;
    }

    static boolean onWorkerThread() {
        return DEPTH.get()[0] > 0;
    }

    @Override
    public String loopId() {
        return loop.info.id();
    }

    @Override
    public String loopName() {
        return loop.info.name();
    }

    @Override
    public long firstIndex() {
        return firstIndex;
    }

    @Override
    public List<?> inputs() {
        return whole ? source : source.subList(from, from + size);
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Task task() {
        return loop.task;
    }

    @Override
    public @Nullable Object context() {
        return loop.context;
    }

    @Override
    public @Nullable Duration taskTimeout() {
        long nanos = loop.plan.taskTimeoutNanos();
        return nanos > 0 ? Duration.ofNanos(nanos) : null;
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    boolean isNew() {
        return state.get() == NEW;
    }

    synchronized boolean interruptedByLoop() {
        return interruptedByLoop;
    }

    /**
     * Runs this chunk, then, on a worker, the loop's next chunks while it has any ready and room for them: a worker
     * that keeps going needs no hand-off through the engine's queue and no wake-up of another thread per chunk, which
     * is what a hand-written loop of threads sharing a counter gets.
     */
    @Override
    public void run() {
        LocalChunk next = this;
        while (next != null) {
            next = next.runOnce();
        }
    }

    /** Runs this chunk; returns the loop's next chunk when this thread should run it too, else null. */
    private @Nullable LocalChunk runOnce() {
        if (!state.compareAndSet(NEW, RUNNING)) {
            return null;
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
            loop.chunkEnded(this, ChunkEnd.NOTHING, false);
            return null;
        }
        int[] depth = DEPTH.get();
        depth[0]++;
        ChunkEnd outcome;
        try {
            outcome = runWithContext();
        } finally {
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
            return loop.chunkEnded(this, outcome, true);
        }
        return null;
    }

    private ChunkEnd runWithContext() {
        Runnable restore;
        try {
            restore = loop.contexts.install();
        } catch (Throwable error) {
            // The caller's context cannot be installed: no input of this chunk may run without it.
            return ChunkEnd.allFailed(size, error);
        }
        try {
            return runInputs();
        } finally {
            restore.run(); // logs what it cannot restore
        }
    }

    private ChunkEnd runInputs() {
        List<?> inputs;
        try {
            if (expectedSize >= 0 && source.size() != expectedSize) {
                // An element added or removed anywhere would shift the inputs this chunk reads by index.
                throw new java.util.ConcurrentModificationException("the input list had " + expectedSize
                        + " elements when the loop started and has " + source.size() + " now");
            }
            inputs = inputs();
        } catch (Throwable error) {
            loop.inputsFailed(firstIndex, error);
            return ChunkEnd.NOTHING;
        }
        Plan plan = loop.plan;
        long timeoutNanos = plan.taskTimeoutNanos();
        boolean timed = timeoutNanos > 0;
        Object[] direct = timed ? null : loop.directArray(firstIndex, size);
        Object[] values = direct != null ? direct : new Object[size];
        int base = direct != null ? (int) firstIndex : 0;
        Throwable[] errors = null;
        long start = System.nanoTime();
        if (timed) {
            errors = new Throwable[size];
            synchronized (this) {
                timedValues = values;
                timedErrors = errors;
                startNanos = start;
            }
        }
        boolean stopAtFailure = plan.policy() == ErrorPolicy.FAIL_FAST;
        // Timeouts and limits take the guarded path; the plain path stays as small as a hand-written loop.
        boolean guarded = timed || plan.limit() != null;
        // Under FAIL_FAST a failure with no retry left stops the loop: halt the other workers the moment it happens.
        boolean haltOnFailure = stopAtFailure && attempt > plan.retries();
        Task task = loop.task;
        Object context = loop.context;
        int ran = 0;
        for (int i = 0; i < size && !cancelled && !loop.state.halting; i++) {
            Object input;
            try {
                input = inputs.get(i);
            } catch (Throwable error) {
                loop.inputsFailed(firstIndex + i, error);
                break;
            }
            Throwable failure;
            if (guarded) {
                if (timed && !startTimed(i)) {
                    break; // the timer abandoned the chunk just as the last body returned: the rest runs elsewhere
                }
                failure = runGuarded(task, i, input, context, values, base, timeoutNanos);
            } else {
                try {
                    values[base + i] = task.apply(firstIndex + i, input, context);
                    failure = null;
                } catch (Throwable error) {
                    failure = error;
                    if (haltOnFailure) {
                        loop.state.halting = true; // before anything else: other workers check it before each input
                    }
                }
            }
            ran = i + 1;
            if (failure != null) {
                if (errors == null) {
                    errors = new Throwable[size];
                }
                errors[i] = failure;
            }
            if (timed && state.get() == ENDED) {
                break; // abandoned after a task timeout: the timer already reported the chunk
            }
            if (failure != null && stopAtFailure) {
                if (haltOnFailure) {
                    loop.state.halting = true; // the guarded path's failures, and ones the plain path already halted
                }
                break; // the loop stops or retries; either way the rest of the chunk waits for its decision
            }
        }
        return new ChunkEnd(direct != null ? null : values, errors, ran, System.nanoTime() - start);
    }

    /** Marks input {@code offset} as the one running, unless the timer has abandoned the chunk already. */
    private synchronized boolean startTimed(int offset) {
        if (state.get() != RUNNING) {
            return false;
        }
        current = offset;
        return true;
    }

    /** Runs one input under its task timeout and its loop's limit; returns what it threw, or null. */
    private @Nullable Throwable runGuarded(
            Task task,
            int offset,
            @Nullable Object input,
            @Nullable Object context,
            @Nullable Object[] values,
            int base,
            long timeoutNanos) {
        Limit limit = loop.plan.limit();
        ScheduledFuture<?> timer = timeoutNanos > 0 ? Timer.schedule(() -> overran(offset), timeoutNanos) : null;
        boolean permit = false;
        try {
            if (limit != null) {
                limit.acquire();
                permit = true;
            }
            values[base + offset] = task.apply(firstIndex + offset, input, context);
            return null;
        } catch (Throwable error) {
            return error;
        } finally {
            if (permit) {
                limit.release();
            }
            if (timer != null) {
                timer.cancel(false);
            }
        }
    }

    /** On the timer thread: the input at {@code offset} overran. Ends the chunk there and interrupts the body. */
    private void overran(int offset) {
        ChunkEnd outcome;
        synchronized (this) {
            if (current != offset || runner == null || timedValues == null || timedErrors == null) {
                return;
            }
            if (!state.compareAndSet(RUNNING, ENDED)) {
                return;
            }
            // Inputs before the timed-out one have finished and their slots no longer change; the runner keeps
            // writing its own arrays, which these copies do not share.
            Object[] values = Arrays.copyOf(timedValues, size);
            Throwable[] errors = Arrays.copyOf(timedErrors, size);
            Arrays.fill(values, offset, size, null);
            Arrays.fill(errors, offset + 1, size, null);
            errors[offset] = new TimeoutException("task exceeded its task timeout of "
                    + Duration.ofNanos(loop.plan.taskTimeoutNanos()) + "; the body was interrupted");
            outcome = new ChunkEnd(values, errors, offset + 1, System.nanoTime() - startNanos);
            interruptedByLoop = true;
            runner.interrupt();
        }
        loop.handOff(this, outcome);
    }

    @Override
    public void complete(ChunkOutcome outcome) {
        Checks.notNull(outcome, "outcome");
        // A chunk run elsewhere is never run() here, so it goes from NEW straight to ENDED.
        if (state.compareAndSet(NEW, ENDED)) {
            loop.chunkEnded(this, ChunkEnd.of(outcome, size), false);
        }
    }

    @Override
    public void fail(Throwable error) {
        Checks.notNull(error, "error");
        if (state.compareAndSet(NEW, ENDED)) {
            loop.chunkEnded(this, ChunkEnd.allFailed(size, error), false);
        }
    }

    /** Called by the loop, under its lock, when it stops: a chunk not started never runs; a running one is interrupted. */
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

    @Override
    public String toString() {
        return "chunk of loop '" + loop.info.name() + "' from input #" + firstIndex + " (" + size + " inputs)";
    }
}
