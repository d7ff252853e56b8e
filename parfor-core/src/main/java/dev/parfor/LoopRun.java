package dev.parfor;

import dev.parfor.internal.Timer;
import dev.parfor.spi.Chunk;
import dev.parfor.spi.Placement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a loop: the engine-agnostic scheduler. It wires the pieces of a run together and drives them from the
 * consumer; each piece can be read alone: {@link LoopState} (the lock, and how the loop stopped and ended), {@link
 * ChunkQueue} (chunks between the inputs and the engine), {@link Dispatch} (handing chunks to the engine), {@link
 * SourceReader} (reading a lazy source), {@link ChunkReview} and {@link Tally} (what a chunk's end comes to), {@link
 * ProgressClock} and {@link Events} (what listeners are told).
 *
 * <p>Threads and what they do:
 *
 * <ul>
 *   <li>The <em>consumer</em> (the caller of a terminal, or the reader of a result stream) starts the loop, reads
 *       lazy inputs (so a source tied to the caller's thread, such as a JPA stream in the caller's transaction, is
 *       read there), waits, reports progress, hands results over, and ends the loop. When it is a worker of an engine
 *       (a nested loop) or the loop runs on the caller, it also runs the loop's chunks itself.
 *   <li><em>Dispatchers</em> (the consumer, or a worker that just finished a chunk) hand chunks to the engine while
 *       fewer than {@code parallelism} run ({@link Dispatch#pump}: one thread at a time per loop).
 *   <li>The shared <em>timer</em> only hands work off: it stops the loop at its deadline, ends an abandoned chunk's
 *       outcome into the hand-off queue, or queues a due retry, and wakes the consumer.
 * </ul>
 *
 * <p>Locking: the loop's lock ({@link LoopState#lock}) guards its state, its chunk queue and its tally. No user code
 * (bodies, sources, listeners, predicates, executors, {@code toString}) ever runs while it is held, and none on the
 * timer thread; messages are built before taking it.
 */
final class LoopRun implements RunningLoop {

    private static final Logger log = LoggerFactory.getLogger(LoopRun.class);

    final LoopInfo info;
    final Plan plan;
    final Chunk.Task task;
    final @Nullable Object context;

    private final LoopRuntime runtime;
    private final Events events;
    private final Tally tally;
    private final LoopErrors errors;
    private final ChunkReview review;
    private final ChunkQueue queue; // guarded by the loop's lock
    final LoopState state;
    private final Dispatch dispatch;
    private final SourceReader reader;
    private final ProgressClock clock;
    private final long total;
    private final Thread consumer;
    private final long startNanos;
    private final boolean helps;
    Contexts contexts = Contexts.NONE; // set before the first chunk is handed to the engine

    private LoopRun(
            LoopRuntime runtime, Plan plan, Inputs inputs, Chunk.Task task, @Nullable Object context, Plan.Mode mode) {
        this.runtime = runtime;
        this.plan = plan;
        this.task = task;
        this.context = context;
        this.total = inputs.size();
        this.consumer = Thread.currentThread();
        this.startNanos = System.nanoTime();
        this.info = new LoopInfo(runtime.newLoopNumber(), plan.name(), plan.engineName(), plan.parallelism());
        this.events = new Events(info, runtime.listeners, plan.progress());
        this.tally = new Tally(Sink.of(mode, total, plan.direct()));
        this.errors = new LoopErrors(info.name(), total);
        ReentrantLock lock = new ReentrantLock();
        Condition changed = lock.newCondition();
        ChunkQueue chunks = new ChunkQueue(this, inputs, plan, tally.sink, lock, changed);
        this.queue = chunks;
        this.state = new LoopState(lock, changed, tally::failures, () -> {
            chunks.cancel();
            if (inputs instanceof Inputs.Lazy lazy) {
                lazy.stop();
            }
        });
        this.review = new ChunkReview(plan, errors, info.name(), consumer, () -> state.halting = true);
        // A worker that waits for a nested loop runs that loop's queued chunks itself: what keeps nested loops from
        // deadlocking when every worker of the engine is busy in an outer body.
        this.helps = plan.placement() == Placement.LOCAL && !plan.callerRuns() && LocalChunk.onWorkerThread();
        this.dispatch = new Dispatch(state, queue, plan, helps, errors);
        this.reader = new SourceReader(state, queue, inputs, errors);
        this.clock = new ProgressClock(events, plan.progressIntervalNanos(), startNanos, () -> progress(false));
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
            state.deadline(Timer.schedule(this::timedOut, plan.timeout().toNanos()));
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
            dispatch.pump();
            if (reader.read()) {
                continue;
            }
            LocalChunk help = null;
            state.lock.lock();
            try {
                if (state.stopped()) {
                    break;
                }
                if (max > 0 && tally.sink.drain(out, max) > 0) {
                    return true;
                }
                if (queue.drained()) {
                    return false;
                }
                if (queue.hasHandOffs() || reader.wantsInput()) {
                    continue;
                }
                if (plan.callerRuns() || helps) {
                    help = queue.firstNew();
                }
                if (help == null) {
                    try {
                        state.changed.awaitNanos(clock.waitNanos(System.nanoTime()));
                    } catch (InterruptedException e) {
                        state.interruptCaller = true;
                        state.stop(Outcome.CANCELLED, failures -> errors.interrupted(tally.done(), e, failures));
                        continue;
                    }
                }
            } finally {
                state.lock.unlock();
            }
            if (help != null) {
                help.run();
            }
            // Outside the lock: progress reports, and the check that the engine still runs what it took.
            clock.tick(System.nanoTime());
            dispatch.checkEngine();
        }
        ParallelForException error = state.locked(state::error);
        if (state.interruptCaller) {
            Thread.currentThread().interrupt();
        }
        end(state.outcome(), error);
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
            end(Outcome.SUCCESS, null);
            return null;
        }
        ParallelForException error =
                throwOnFailures ? errors.partial(sorted, total >= 0 ? total : state.locked(queue::read)) : null;
        end(Outcome.PARTIAL, error);
        return error;
    }

    /** Every value by input index (terminals that keep them), after {@link #await} returned false. */
    List<@Nullable Object> values() {
        return state.locked(() -> ((Sink.Array) tally.sink).values());
    }

    @Override
    public List<TaskFailure> failures() {
        return state.locked(tally::sorted);
    }

    /** The consumer no longer wants results (a result stream closed before its end). */
    void close() {
        state.stopOnce(Outcome.CANCELLED, failures -> null);
        end(Outcome.CANCELLED, null);
    }

    public LoopInfo info() {
        return info;
    }

    @Override
    public Map<String, String> options() {
        return plan.describe();
    }

    @Override
    public boolean cancel() {
        return cancel("it was cancelled from outside (RunningLoop.cancel)");
    }

    /** Stops the loop from another thread; its consumer throws a CANCELLED exception saying why. */
    boolean cancel(String why) {
        ParallelForException error = errors.cancelled(why);
        return state.stopOnce(Outcome.CANCELLED, failures -> error);
    }

    /** On the consumer: ends the chunks the timer abandoned. */
    private void processHandOffs() {
        for (ChunkQueue.HandOff handOff : state.locked(queue::takeHandOffs)) {
            chunkEnded(handOff.chunk(), handOff.outcome(), false);
        }
    }

    /** A worker could not read an input of a random-access list (it changed under the loop): the loop fails. */
    void inputsFailed(long index, Throwable error) {
        fail(errors.sourceMessage(index, error), error);
    }

    /** The loop fails for a reason of its own; {@code message} is built outside the lock. */
    private void fail(String message, Throwable cause) {
        state.stopOnce(Outcome.FAILURE, failures -> errors.failed(message, cause, failures));
    }

    /** Hands chunks to the engine while fewer than {@code parallelism} run (see {@link Dispatch#pump}). */
    void pump() {
        dispatch.pump();
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
        ChunkReview.Verdict verdict = review.review(chunk, outcome, state.halting);
        if (verdict.callerInterrupted()) {
            state.interruptCaller = true;
        }
        Tally.Counts counts;
        state.lock.lock();
        try {
            if (state.ended()) {
                queue.ended(chunk);
                return null;
            }
            boolean stopped = state.stopped();
            counts = tally.record(
                    chunk.firstIndex,
                    outcome,
                    ran,
                    verdict,
                    stopped,
                    stopped && state.outcome() == Outcome.FAILURE ? state.error() : null);
            if (!stopped) {
                queue.requeue(chunk, ran, verdict);
            }
            if (verdict.callerInterrupted()) {
                InterruptedException cause = new InterruptedException("the calling thread was interrupted");
                state.stop(Outcome.CANCELLED, failures -> errors.interrupted(tally.done(), cause, failures));
            }
            ParallelForException failFast = verdict.failFast();
            if (failFast != null) {
                state.stop(Outcome.FAILURE, failures -> failFast);
            }
            if (chunk.attempt == 1 && ran > 0 && outcome.errors() == null) {
                plan.sizer().record(ran, outcome.nanos());
            }
        } finally {
            state.lock.unlock();
        }
        if (!state.ended()) {
            // A chunk that ends while a stopped loop ends may still slip its events in just after loopFinished; one
            // that ends after it does not report.
            counts.send(events, outcome.nanos());
        }
        // Only now does the chunk stop counting as running, so the loop cannot end before its task events are out.
        LocalChunk next = null;
        boolean continueHere = mayContinue && Thread.currentThread() != consumer && dispatch.mayContinueOnWorker();
        state.lock.lock();
        try {
            queue.ended(chunk);
            // A worker (not the loop's own thread, which has inputs to read and progress to report) takes the next
            // chunk itself instead of handing it to the engine.
            if (continueHere && !state.stopped() && !state.halting) {
                next = queue.start(false);
            }
            if (tally.sink instanceof Sink.Window
                    || plan.callerRuns()
                    || helps
                    || queue.drained()
                    || reader.wantsInput()) {
                state.changed.signalAll();
            }
        } finally {
            state.lock.unlock();
        }
        if (!plan.callerRuns()) {
            dispatch.pump();
        }
        return next;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stopping

    /** On the timer: the loop's deadline passed. Builds no message from user objects. */
    private void timedOut() {
        state.stopOnce(Outcome.TIMEOUT, failures -> errors.timedOut(plan.timeout(), tally.done(), failures));
    }

    /** Runs once: unregisters, tells the engine, reports the final progress and tells listeners. */
    private void end(Outcome outcome, @Nullable Throwable error) {
        if (!state.end()) {
            return;
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
