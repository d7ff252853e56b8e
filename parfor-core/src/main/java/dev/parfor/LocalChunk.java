package dev.parfor;

import dev.parfor.internal.InputLoop;
import dev.parfor.internal.Timer;
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
 * The scheduler's chunk. Its inputs run in {@link InputLoop}, the loop remote workers run too, with the hooks of its
 * {@link Runner}.
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
        long start = System.nanoTime();
        Runner runner = new Runner(plan, values, direct != null ? (int) firstIndex : 0, timed);
        if (timed) {
            synchronized (this) {
                timedValues = values;
                timedErrors = runner.errors();
                startNanos = start;
            }
        }
        int ran = runner.run(inputs, size);
        return new ChunkEnd(direct != null ? null : values, runner.errors(), ran, System.nanoTime() - start);
    }

    /**
     * How this chunk's inputs run in the loop every runner shares: plain (values written straight into the loop's
     * results when it keeps them all), or guarded by a task timeout (the timer abandons the chunk at the input that
     * overran: the runner stops after it) and the loop's shared limit.
     */
    private final class Runner extends InputLoop {
        private final LoopState loopState;
        private final boolean timed;
        private final long timeoutNanos;
        private final @Nullable Limit limit;
        private final boolean stopAtFailure;
        /** Under FAIL_FAST a failure with no retry left stops the loop: halt the other workers the moment it happens. */
        private final boolean haltOnFailure;

        private @Nullable ScheduledFuture<?> timer;
        private boolean permit;

        Runner(Plan plan, @Nullable Object[] values, int base, boolean timed) {
            // A timed chunk shares its errors with the timer, which copies them when it abandons the chunk.
            super(
                    loop.task,
                    firstIndex,
                    loop.context,
                    values,
                    base,
                    timed ? new Throwable[size] : null,
                    timed || plan.limit() != null);
            this.loopState = loop.state;
            this.timed = timed;
            this.timeoutNanos = plan.taskTimeoutNanos();
            this.limit = plan.limit();
            this.stopAtFailure = plan.policy() == ErrorPolicy.FAIL_FAST;
            this.haltOnFailure = stopAtFailure && attempt > plan.retries();
        }

        @Override
        protected boolean stopsBefore(int offset) {
            return cancelled || loopState.halting;
        }

        @Override
        protected boolean unreadable(int offset, Throwable error) {
            loop.inputsFailed(firstIndex + offset, error);
            return true;
        }

        @Override
        protected boolean starts(int offset) {
            // False when the timer abandoned the chunk just as the last body returned: the rest runs elsewhere.
            return !timed || startTimed(offset);
        }

        @Override
        protected void enter(int offset) throws InterruptedException {
            if (timed) {
                timer = Timer.schedule(() -> overran(offset), timeoutNanos);
            }
            if (limit != null) {
                limit.acquire();
                permit = true;
            }
        }

        @Override
        protected @Nullable Throwable exit(int offset, @Nullable Throwable failure) {
            if (permit) {
                permit = false;
                limit.release();
            }
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            return failure;
        }

        @Override
        protected boolean endsAt(int offset, @Nullable Throwable failure) {
            if (timed && state.get() == ENDED) {
                return true; // abandoned after a task timeout: the timer already reported the chunk
            }
            if (failure != null && stopAtFailure) {
                if (haltOnFailure) {
                    loopState.halting = true; // before anything else: other workers check it before each input
                }
                return true; // the loop stops or retries; either way the rest of the chunk waits for its decision
            }
            return false;
        }
    }

    /** Marks input {@code offset} as the one running, unless the timer has abandoned the chunk already. */
    private synchronized boolean startTimed(int offset) {
        if (state.get() != RUNNING) {
            return false;
        }
        current = offset;
        return true;
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
