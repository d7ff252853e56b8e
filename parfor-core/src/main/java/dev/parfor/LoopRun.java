package dev.parfor;

import dev.parfor.spi.Chunk;
import dev.parfor.spi.Placement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a loop: the engine-agnostic scheduler.
 *
 * <p>Threads and what they do:
 *
 * <ul>
 *   <li>The <em>consumer</em> (the caller of a terminal, or the reader of a result stream) starts the loop, reads
 *       lazy inputs (so a source tied to the caller's thread, such as a JPA stream in the caller's transaction, is
 *       read there), waits, reports progress, hands results over, and ends the loop. When it is a worker of an engine
 *       (a nested loop) or the loop runs on the caller, it also runs the loop's chunks itself.
 *   <li><em>Dispatchers</em> (the consumer, or a worker that just finished a chunk) hand chunks to the engine while
 *       fewer than {@code parallelism} run. Dispatch is pumped per loop ({@link #pump}): one thread at a time, and a
 *       request made meanwhile (an engine that ran a chunk inline, inside {@code execute}) is served by the thread
 *       already pumping.
 *   <li>The shared <em>timer</em> only hands work off: it stops the loop at its deadline, ends an abandoned chunk's
 *       outcome into the hand-off queue, or queues a due retry, and wakes the consumer.
 * </ul>
 *
 * <p>Locking: {@code lock} guards every field marked so below. No user code (bodies, sources, listeners, predicates,
 * executors, {@code toString}) ever runs while it is held; messages are built before taking it.
 */
final class LoopRun implements RunningLoop {

    private static final Logger log = LoggerFactory.getLogger(LoopRun.class);
    /** The consumer wakes at least this often to report progress and to check the engine still runs its chunks. */
    private static final long WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    final LoopInfo info;
    final Plan plan;
    final Chunk.Task task;
    final @Nullable Object context;

    private final LoopRuntime runtime;
    private final Events events;
    private final Inputs inputs;
    private final Tally tally;
    private final LoopErrors errors;
    private final ChunkReview review;
    private final ChunkQueue queue; // guarded by lock
    private final long total;
    private final Thread consumer;
    private final long startNanos;
    private final boolean helps;
    Contexts contexts = Contexts.NONE; // set before the first chunk is handed to the engine

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicInteger pumps = new AtomicInteger();

    // Guarded by lock.
    private boolean stopped;
    // Written under lock, read without it: task events of a chunk that ends after the loop are not sent.
    private volatile boolean ended;
    private LoopOutcome stopOutcome = LoopOutcome.CANCELLED;
    private @Nullable ParallelForException stopError;
    private @Nullable ScheduledFuture<?> deadline;
    private boolean interruptCaller;

    // Set, without the lock, the moment the loop must stop starting inputs (a task failed for good under FAIL_FAST,
    // or the loop stopped): workers check it before each input.
    volatile boolean halting;
    private long nextProgressNanos;

    private LoopRun(
            LoopRuntime runtime, Plan plan, Inputs inputs, Chunk.Task task, @Nullable Object context, Plan.Mode mode) {
        this.runtime = runtime;
        this.plan = plan;
        this.inputs = inputs;
        this.task = task;
        this.context = context;
        this.total = inputs.size();
        this.consumer = Thread.currentThread();
        this.startNanos = System.nanoTime();
        this.info = new LoopInfo(
                runtime.newLoopNumber(), plan.name(), plan.engineName(), plan.parallelism(), WallClock.at(startNanos));
        this.events = new Events(info, runtime.listeners, plan.progress());
        this.tally = new Tally(Sink.of(mode, total, plan.direct()));
        this.errors = new LoopErrors(info.name(), total);
        this.review = new ChunkReview(plan, errors, info.name(), consumer, () -> halting = true);
        // A worker that waits for a nested loop runs that loop's queued chunks itself: what keeps nested loops from
        // deadlocking when every worker of the engine is busy in an outer body.
        this.helps = plan.placement() == Placement.LOCAL && !plan.callerRuns() && LocalChunk.onWorkerThread();
        this.queue = new ChunkQueue(this, inputs, plan, tally.sink, lock, changed);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Starting

    /**
     * Plans and starts a loop on the calling thread, which becomes its consumer.
     *
     * @throws ParallelForException when the inputs cannot even be opened, or a context propagator fails
     */
    static LoopRun start(
            LoopRuntime runtime,
            String name,
            LoopOptions callSite,
            Object rawInputs,
            Chunk.Task task,
            @Nullable Object context,
            Plan.Mode mode,
            int defaultChunkSize) {
        Inputs inputs;
        try {
            inputs = Inputs.of(rawInputs);
        } catch (Throwable e) {
            throw LoopErrors.notStarted(name, "could not open its inputs", e);
        }
        Plan plan = Plan.of(runtime, name, callSite, inputs.size(), mode, defaultChunkSize);
        LoopRun run;
        try {
            run = new LoopRun(runtime, plan, inputs, task, context, mode);
        } catch (Throwable e) {
            throw LoopErrors.notStarted(name, "could not start on engine '" + plan.engineName() + "'", e);
        }
        run.begin();
        return run;
    }

    private void begin() {
        plan.engine().loopStarting(info, task, context); // throwing refuses the loop: the caller gets it as it is
        try {
            runtime.register(this);
        } catch (RuntimeException e) {
            engineLoopEnded();
            throw e;
        }
        events.started();
        nextProgressNanos = startNanos + plan.progressIntervalNanos();
        if (plan.placement() == Placement.LOCAL && !plan.callerRuns()) {
            // Captured after listeners have seen the loop, so that what they put in scope (the loop's observation) is
            // part of the context the tasks see.
            try {
                contexts = Contexts.capture(info.name(), runtime.propagators);
            } catch (Contexts.CaptureFailed e) {
                fail(e.getMessage(), e.getCause());
                return;
            }
        }
        if (plan.timeout() != null) {
            ScheduledFuture<?> timer =
                    Timer.schedule(this::timedOut, plan.timeout().toNanos());
            lock.lock();
            try {
                deadline = timer;
            } finally {
                lock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The consumer's side

    /**
     * Drives the loop until a result can be delivered or it ends: processes chunks the timer abandoned, reads lazy
     * inputs, dispatches, helps, reports progress, and watches the engine. Moves up to {@code max} values into {@code
     * out} (streams; 0 for terminals that take every value at the end).
     *
     * @return {@code false} once every input has ended (then call {@link #finish})
     * @throws ParallelForException when the loop stopped early (fail-fast, timeout, cancel, interrupt); the loop has
     *     ended by then
     */
    boolean await(List<@Nullable Object> out, int max) {
        while (true) {
            processHandOffs();
            pump();
            if (readInputs()) {
                continue;
            }
            LocalChunk help = null;
            lock.lock();
            try {
                if (stopped) {
                    break;
                }
                if (max > 0 && tally.sink.drain(out, max) > 0) {
                    return true;
                }
                if (isComplete()) {
                    return false;
                }
                if (queue.hasHandOffs() || wantsInput()) {
                    continue;
                }
                if (plan.callerRuns() || helps) {
                    help = queue.firstNew();
                }
                if (help == null) {
                    try {
                        changed.awaitNanos(wakeNanos());
                    } catch (InterruptedException e) {
                        interruptCaller = true;
                        stop(LoopOutcome.CANCELLED, errors.interrupted(tally.done(), e, tally.failures()));
                        continue;
                    }
                }
            } finally {
                lock.unlock();
            }
            if (help != null) {
                help.run();
            }
            periodic();
        }
        ParallelForException error = locked(() -> stopError);
        if (interruptCaller) {
            Thread.currentThread().interrupt();
        }
        end(stopOutcome, error);
        if (error != null) {
            throw error;
        }
        return false;
    }

    /**
     * Ends a loop whose inputs have all ended.
     *
     * @param throwOnFailures whether failed inputs make an exception (every terminal but {@code run})
     * @return the exception the caller must throw, or null
     */
    @Nullable
    ParallelForException finish(boolean throwOnFailures) {
        List<TaskFailure> sorted = failures();
        if (sorted.isEmpty()) {
            end(LoopOutcome.SUCCESS, null);
            return null;
        }
        ParallelForException error =
                throwOnFailures ? errors.partial(sorted, total >= 0 ? total : locked(queue::read)) : null;
        end(LoopOutcome.PARTIAL, error);
        return error;
    }

    /** Every value by input index (terminals that keep them), after {@link #await} returned false. */
    List<@Nullable Object> values() {
        return locked(() -> ((Sink.Array) tally.sink).values());
    }

    @Override
    public List<TaskFailure> failures() {
        return locked(tally::sorted);
    }

    /** Reads state guarded by the lock; {@code read} must call no user code. */
    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    /** The consumer no longer wants results (a result stream closed before its end). */
    void close() {
        stopOnce(LoopOutcome.CANCELLED, failures -> null);
        end(LoopOutcome.CANCELLED, null);
    }

    public LoopInfo info() {
        return info;
    }

    @Override
    public java.util.Map<String, String> options() {
        return plan.describe();
    }

    @Override
    public boolean cancel() {
        return cancel("it was cancelled from outside (RunningLoop.cancel)");
    }

    /** Stops the loop from another thread; its consumer throws a CANCELLED exception saying why. */
    boolean cancel(String why) {
        ParallelForException error = errors.cancelled(why);
        return stopOnce(LoopOutcome.CANCELLED, failures -> error);
    }

    private long wakeNanos() {
        long wait = WAKE_NANOS;
        if (events.hasProgress()) {
            wait = Math.min(wait, Math.max(1, nextProgressNanos - System.nanoTime()));
        }
        return wait;
    }

    /** On the consumer, outside the lock: progress reports and the check that the engine still runs what it took. */
    private void periodic() {
        long now = System.nanoTime();
        if (events.hasProgress() && now >= nextProgressNanos) {
            nextProgressNanos = now + plan.progressIntervalNanos();
            events.progress(progress(false));
        }
        if (plan.placement() == Placement.LOCAL && !plan.callerRuns()) {
            checkEngine();
        }
    }

    /** A chunk waiting in an executor service that has terminated will never run: end the loop instead of waiting. */
    private void checkEngine() {
        if (!EngineWatch.terminated(plan.engine())) {
            return;
        }
        ParallelForException error = errors.executorTerminated(info.engine());
        lock.lock();
        try {
            if (!stopped && queue.firstNew() != null) {
                stop(LoopOutcome.CANCELLED, error);
            }
        } finally {
            lock.unlock();
        }
    }

    /** On the consumer: ends the chunks the timer abandoned. */
    private void processHandOffs() {
        for (ChunkQueue.HandOff handOff : locked(queue::takeHandOffs)) {
            chunkEnded(handOff.chunk(), handOff.outcome(), false);
        }
    }

    /** Under the lock: whether the consumer should read more lazy inputs now. */
    private boolean wantsInput() {
        return !stopped && queue.wantsInput();
    }

    /**
     * On the consumer, outside the lock: reads one chunk of a lazy source. The timer interrupts a read that blocks
     * past the loop's deadline.
     *
     * @return whether it read (or failed reading), so the consumer should look again at once
     */
    private boolean readInputs() {
        int size;
        long first;
        lock.lock();
        try {
            if (!wantsInput()) {
                return false;
            }
            first = queue.read();
            size = queue.readSize();
        } finally {
            lock.unlock();
        }
        Inputs.Lazy.Batch batch = ((Inputs.Lazy) inputs).read(size);
        Throwable failure = batch.failure();
        String message = failure == null
                ? null
                : errors.sourceMessage(first + batch.inputs().size(), failure);
        lock.lock();
        try {
            if (stopped) {
                return true;
            }
            // A source that failed once is not read again: inputs after it would land at the wrong indices.
            queue.add(batch.inputs(), batch.end() || failure != null);
            if (failure != null) {
                stop(LoopOutcome.FAILURE, errors.failed(message, failure, tally.failures()));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A worker could not read an input of a random-access list (it changed under the loop): the loop fails. */
    void inputsFailed(long index, Throwable error) {
        fail(errors.sourceMessage(index, error), error);
    }

    /** The loop fails for a reason of its own; {@code message} is built outside the lock. */
    private void fail(String message, Throwable cause) {
        stopOnce(LoopOutcome.FAILURE, failures -> errors.failed(message, cause, failures));
    }

    /** Under the lock: every input has been read and has ended. */
    private boolean isComplete() {
        return queue.drained();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Dispatch

    /**
     * Hands chunks to the engine while fewer than {@code parallelism} run. Any thread but the timer may call it,
     * never under the lock. One thread pumps a loop at a time; a call made while another pumps (an engine that ran a
     * chunk inline inside {@code execute}, or a worker finishing) is folded into that pump's next round.
     */
    void pump() {
        if (pumps.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            List<LocalChunk> toSubmit = null;
            lock.lock();
            try {
                boolean added = false;
                while (!stopped && !halting) {
                    LocalChunk chunk = queue.start(true);
                    if (chunk == null) {
                        break;
                    }
                    added = true;
                    if (!plan.callerRuns()) {
                        if (toSubmit == null) {
                            toSubmit = new ArrayList<>(Math.min(plan.parallelism(), 64));
                        }
                        toSubmit.add(chunk);
                    }
                }
                if (added && (plan.callerRuns() || helps)) {
                    changed.signalAll();
                }
            } finally {
                lock.unlock();
            }
            if (toSubmit != null) {
                for (LocalChunk chunk : toSubmit) {
                    submit(chunk);
                }
            }
            missed = pumps.addAndGet(-missed);
        } while (missed != 0);
    }

    private void submit(LocalChunk chunk) {
        try {
            plan.engine().execute(chunk);
        } catch (Throwable e) {
            ParallelForException error = errors.rejected(info.engine(), e);
            stopOnce(LoopOutcome.CANCELLED, failures -> error);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Worker side

    /** The array a local chunk writes its values into directly, or null. Read without the lock: never replaced. */
    @Nullable
    Object @Nullable [] directArray(long firstIndex, int size) {
        return tally.sink instanceof Sink.Array array ? array.directArray(firstIndex, size) : null;
    }

    /** On the timer: a chunk abandoned after a task timeout. The consumer processes it. */
    void handOff(LocalChunk chunk, ChunkEnd outcome) {
        queue.handOff(chunk, outcome);
    }

    /**
     * A chunk ended: decide retries (outside the lock: the predicate is user code), record values and failures, apply
     * the error policy, tell listeners, and refill the engine. Runs on the thread that ran the chunk, the consumer (a
     * chunk the timer abandoned), or a remote engine's callback thread.
     *
     * @param mayContinue whether the calling thread (a worker that ran the chunk) may take the loop's next chunk
     * @return the chunk the calling worker runs next, or null
     */
    @Nullable
    LocalChunk chunkEnded(LocalChunk chunk, ChunkEnd outcome, boolean mayContinue) {
        int ran = Math.min(outcome.ran(), chunk.size);
        ChunkReview.Verdict verdict = review.review(chunk, outcome, halting);
        if (verdict.callerInterrupted()) {
            interruptCaller = true;
        }
        Tally.Counts counts;
        lock.lock();
        try {
            if (ended) {
                queue.ended(chunk);
                return null;
            }
            counts = tally.record(
                    chunk.firstIndex,
                    outcome,
                    ran,
                    verdict,
                    stopped,
                    stopOutcome == LoopOutcome.FAILURE ? stopError : null);
            if (!stopped) {
                queue.requeue(chunk, ran, verdict);
            }
            if (verdict.callerInterrupted() && !stopped) {
                stop(
                        LoopOutcome.CANCELLED,
                        errors.interrupted(
                                tally.done(),
                                new InterruptedException("the calling thread was interrupted"),
                                tally.failures()));
            }
            if (verdict.failFast() != null && !stopped) {
                stop(LoopOutcome.FAILURE, verdict.failFast());
            }
            if (chunk.attempt == 1 && ran > 0 && outcome.errors() == null) {
                plan.sizer().record(ran, outcome.nanos());
            }
        } finally {
            lock.unlock();
        }
        if (!ended) {
            // A chunk that ends while a stopped loop ends may still slip its events in just after loopFinished; one
            // that ends after it does not report.
            counts.send(events, outcome.nanos());
        }
        // Only now does the chunk stop counting as running, so the loop cannot end before its task events are out.
        LocalChunk next = null;
        // A worker of an executor its owner has shut down hands the next chunk to the engine instead, which refuses it
        // and so ends the loop with a clear error; running it here would keep the loop going on a dead pool.
        boolean continueHere = mayContinue
                && !plan.callerRuns()
                && Thread.currentThread() != consumer
                && !EngineWatch.shutDown(plan.engine());
        lock.lock();
        try {
            queue.ended(chunk);
            // A worker (not the loop's own thread, which has inputs to read and progress to report) takes the next
            // chunk itself instead of handing it to the engine.
            if (continueHere && !stopped && !halting) {
                next = queue.start(false);
            }
            if (tally.sink instanceof Sink.Window || plan.callerRuns() || helps || isComplete() || wantsInput()) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (!plan.callerRuns()) {
            pump();
        }
        return next;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stopping

    /** On the timer: the loop's deadline passed. Builds no message from user objects. */
    private void timedOut() {
        stopOnce(LoopOutcome.TIMEOUT, failures -> errors.timedOut(plan.timeout(), tally.done(), failures));
    }

    /**
     * Stops the loop unless it has stopped already, with the exception {@code error} builds, under the lock, from the
     * failures so far (it must call no user code). Not under the lock.
     *
     * @return whether this call stopped the loop
     */
    private boolean stopOnce(LoopOutcome outcome, Function<List<TaskFailure>, @Nullable ParallelForException> error) {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            stop(outcome, error.apply(tally.failures()));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: stops dispatch, cancels what runs, interrupts a blocked read, wakes the consumer. */
    private void stop(LoopOutcome outcome, @Nullable ParallelForException error) {
        if (stopped) {
            return;
        }
        stopped = true;
        halting = true;
        stopOutcome = outcome;
        stopError = error;
        queue.cancel();
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (inputs instanceof Inputs.Lazy lazy) {
            lazy.stop();
        }
        changed.signalAll();
    }

    /** Runs once: unregisters, tells the engine, reports the final progress and tells listeners. */
    private void end(LoopOutcome outcome, @Nullable Throwable error) {
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            stopped = true;
            halting = true;
            queue.cancel();
            if (deadline != null) {
                deadline.cancel(false);
            }
        } finally {
            lock.unlock();
        }
        runtime.unregister(this);
        engineLoopEnded();
        double learned = plan.sizer().nanosPerInput();
        if (!Double.isNaN(learned)) {
            plan.sizer().learned.nanosPerInput = learned; // kept for the next run, without a lookup
        }
        events.finished(outcome, error, progress(true));
    }

    private void engineLoopEnded() {
        try {
            plan.engine().loopEnded(info);
        } catch (Throwable e) {
            log.warn(
                    "engine '{}' failed to clean up after loop '{}': {}",
                    info.engine(),
                    info.name(),
                    Texts.describe(e),
                    e);
        }
    }

    @Override
    public Progress progress() {
        return progress(false);
    }

    Progress progress(boolean finished) {
        long known = total >= 0 ? total : (queue.exhausted() ? queue.read() : -1);
        return new Progress(
                info,
                known >= 0 ? OptionalLong.of(known) : OptionalLong.empty(),
                tally.done(),
                tally.failed(),
                tally.retried(),
                Duration.ofNanos(System.nanoTime() - startNanos),
                finished);
    }
}
