package dev.parfor;

import dev.parfor.spi.Chunk;
import dev.parfor.spi.ChunkOutcome;
import dev.parfor.spi.EngineStats;
import dev.parfor.spi.Placement;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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

    /** How a chunk ended: values (null when written straight into the results), errors, inputs that ran, time. */
    record Ended(
            @Nullable Object @Nullable [] values, @Nullable Throwable @Nullable [] errors, int ran, long nanos) {
        static final Ended NOTHING = new Ended(new Object[0], null, 0, 0);

        static Ended of(ChunkOutcome outcome, int size) {
            int ran = Math.min(outcome.ran(), size);
            Object[] values = new Object[ran];
            Throwable[] errors = null;
            for (int i = 0; i < ran; i++) {
                values[i] = outcome.value(i);
                Throwable error = outcome.error(i);
                if (error != null) {
                    if (errors == null) {
                        errors = new Throwable[ran];
                    }
                    errors[i] = error;
                }
            }
            return new Ended(values, errors, ran, outcome.nanos());
        }
    }

    private record HandOff(LocalChunk chunk, Ended outcome) {}

    final LoopInfo info;
    final Plan plan;
    final Chunk.Task task;
    final @Nullable Object context;

    private final LoopRuntime runtime;
    private final Events events;
    private final Inputs inputs;
    private final Sink sink;
    private final long total;
    private final Thread consumer;
    private final long startNanos;
    private final boolean helps;
    private List<ContextPropagator.Captured> captured = List.of();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicInteger pumps = new AtomicInteger();

    // Guarded by lock.
    private final Set<LocalChunk> running = new LinkedHashSet<>();
    private final ArrayDeque<LocalChunk> ready = new ArrayDeque<>();
    private final ArrayDeque<HandOff> handOffs = new ArrayDeque<>();
    private final List<TaskFailure> failures = new ArrayList<>();
    private long read;
    private boolean exhausted;
    private int retriesWaiting;
    private boolean stopped;
    // Written under lock, read without it: task events of a chunk that ends after the loop are not sent.
    private volatile boolean ended;
    private LoopOutcome stopOutcome = LoopOutcome.CANCELLED;
    private @Nullable ParallelForException stopError;
    private int suppressed;
    private @Nullable ScheduledFuture<?> deadline;
    private @Nullable Thread reading;
    private boolean readInterrupted;
    private boolean interruptCaller;

    // Set, without the lock, the moment the loop must stop starting inputs (a task failed for good under FAIL_FAST,
    // or the loop stopped): workers check it before each input.
    volatile boolean halting;
    // Written under lock, read without it for progress snapshots.
    private volatile long done;
    private volatile long failed;
    private volatile long retried;
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
                runtime.newLoopId(),
                plan.name(),
                plan.engineName(),
                plan.engine().type(),
                plan.parallelism(),
                Instant.now());
        this.events = new Events(info, runtime.listeners, plan.progress());
        this.sink = switch (mode) {
            case ALL -> new Sink.Array(total, plan.direct());
            case ORDERED -> new Sink.Window(Sink.Window.Order.INPUT);
            case COMPLETION -> new Sink.Window(Sink.Window.Order.COMPLETION);
            case DISCARD -> new Sink.Window(Sink.Window.Order.NONE);
        };
        // A worker that waits for a nested loop runs that loop's queued chunks itself: what keeps nested loops from
        // deadlocking when every worker of the engine is busy in an outer body.
        this.helps = plan.placement() == Placement.LOCAL && !plan.callerRuns() && LocalChunk.onWorkerThread();
        this.exhausted = inputs instanceof Inputs.Indexed indexed && indexed.size == 0;
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
            throw new ParallelForException(
                    "loop '" + name + "' could not open its inputs: " + Texts.describe(e),
                    name,
                    LoopOutcome.FAILURE,
                    e,
                    List.of());
        }
        Plan plan = Plan.of(runtime, name, callSite, inputs.size(), mode, defaultChunkSize);
        LoopRun run;
        try {
            run = new LoopRun(runtime, plan, inputs, task, context, mode);
        } catch (Throwable e) {
            throw new ParallelForException(
                    "loop '" + name + "' could not start on engine '" + plan.engineName() + "': " + Texts.describe(e),
                    name,
                    LoopOutcome.FAILURE,
                    e,
                    List.of());
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
            List<ContextPropagator.Captured> now = new ArrayList<>(runtime.propagators.size());
            for (ContextPropagator propagator : runtime.propagators) {
                try {
                    now.add(Checks.notNull(propagator.capture(), "captured context"));
                } catch (Throwable e) {
                    fail(
                            "loop '" + info.name() + "' could not capture the caller's context with "
                                    + propagator.getClass().getName() + ": " + Texts.describe(e),
                            e);
                    return;
                }
            }
            captured = now;
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
                if (max > 0 && sink.drain(out, max) > 0) {
                    return true;
                }
                if (isComplete()) {
                    return false;
                }
                if (!handOffs.isEmpty() || wantsInput()) {
                    continue;
                }
                if (plan.callerRuns() || helps) {
                    help = firstNewChunk();
                }
                if (help == null) {
                    try {
                        changed.awaitNanos(wakeNanos());
                    } catch (InterruptedException e) {
                        interruptCaller = true;
                        stop(
                                LoopOutcome.CANCELLED,
                                new ParallelForException(
                                        "loop '" + info.name() + "' was cancelled: the calling thread was interrupted ("
                                                + done + " inputs done)",
                                        info.name(),
                                        LoopOutcome.CANCELLED,
                                        e,
                                        failures));
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
        ParallelForException error;
        lock.lock();
        try {
            error = stopError;
        } finally {
            lock.unlock();
        }
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
        ParallelForException error = throwOnFailures ? partial(sorted) : null;
        end(LoopOutcome.PARTIAL, error);
        return error;
    }

    private ParallelForException partial(List<TaskFailure> sorted) {
        TaskFailure first = sorted.get(0);
        ParallelForException error = new ParallelForException(
                Texts.failureMessage(info.name(), first, sorted.size(), total >= 0 ? total : read()),
                info.name(),
                LoopOutcome.PARTIAL,
                first.error(),
                sorted);
        for (TaskFailure later : sorted.subList(1, Math.min(sorted.size(), Texts.MAX_SUPPRESSED + 1))) {
            error.addSuppressed(later.error());
        }
        return error;
    }

    /** Every value by input index (terminals that keep them), after {@link #await} returned false. */
    List<@Nullable Object> values() {
        lock.lock();
        try {
            return ((Sink.Array) sink).values();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<TaskFailure> failures() {
        lock.lock();
        try {
            List<TaskFailure> sorted = new ArrayList<>(failures);
            sorted.sort(Comparator.comparingLong(TaskFailure::index));
            return sorted;
        } finally {
            lock.unlock();
        }
    }

    private long read() {
        lock.lock();
        try {
            return read;
        } finally {
            lock.unlock();
        }
    }

    /** The consumer no longer wants results (a result stream closed before its end). */
    void close() {
        lock.lock();
        try {
            stop(LoopOutcome.CANCELLED, null);
        } finally {
            lock.unlock();
        }
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
        ParallelForException error = new ParallelForException(
                "loop '" + info.name() + "' was cancelled: " + why,
                info.name(),
                LoopOutcome.CANCELLED,
                new CancellationException(why),
                List.of());
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            stop(LoopOutcome.CANCELLED, error);
            return true;
        } finally {
            lock.unlock();
        }
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
        boolean terminated;
        try {
            terminated = plan.engine()
                    .stats()
                    .flatMap(EngineStats::executorService)
                    .map(ExecutorService::isTerminated)
                    .orElse(false);
        } catch (Throwable e) {
            return; // an engine that cannot tell: the rejection of its next chunk will say it
        }
        if (!terminated) {
            return;
        }
        ParallelForException error = new ParallelForException(
                "loop '" + info.name() + "' was cancelled: the executor of engine '" + info.engine()
                        + "' was shut down while chunks of the loop were waiting in it, so they can never run; shut"
                        + " an executor down only after the loops that use it have ended",
                info.name(),
                LoopOutcome.CANCELLED,
                new java.util.concurrent.RejectedExecutionException("executor terminated"),
                List.of());
        lock.lock();
        try {
            if (!stopped && firstNewChunk() != null) {
                stop(LoopOutcome.CANCELLED, error);
            }
        } finally {
            lock.unlock();
        }
    }

    private void processHandOffs() {
        List<HandOff> due;
        lock.lock();
        try {
            if (handOffs.isEmpty()) {
                return;
            }
            due = new ArrayList<>(handOffs);
            handOffs.clear();
        } finally {
            lock.unlock();
        }
        for (HandOff handOff : due) {
            chunkEnded(handOff.chunk(), handOff.outcome(), false);
        }
    }

    /** Under the lock: whether the consumer should read more lazy inputs now. */
    private boolean wantsInput() {
        if (stopped || exhausted || !(inputs instanceof Inputs.Lazy)) {
            return false;
        }
        if (read - sink.low() >= plan.window()) {
            return false;
        }
        return ready.size() < (plan.callerRuns() ? 1 : plan.parallelism());
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
            first = read;
            size = (int) Math.max(1, Math.min(plan.sizer().next(), plan.window() - (read - sink.low())));
            reading = Thread.currentThread();
        } finally {
            lock.unlock();
        }
        java.util.Iterator<?> iterator = ((Inputs.Lazy) inputs).iterator;
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
        }
        String message = failure == null ? null : sourceMessage(first + batch.size(), failure);
        lock.lock();
        try {
            reading = null;
            if (readInterrupted) {
                readInterrupted = false;
                Thread.interrupted(); // ours, sent when the loop stopped during the read
            }
            if (stopped) {
                return true;
            }
            if (!batch.isEmpty()) {
                ready.add(new LocalChunk(this, read, batch, 1));
                read += batch.size();
                sink.extend(read);
            }
            if (failure != null) {
                // A source that failed once is not read again: inputs after it would land at the wrong indices.
                exhausted = true;
                stop(LoopOutcome.FAILURE, failure(message, failure));
            } else if (end) {
                exhausted = true;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private String sourceMessage(long index, Throwable failure) {
        if (failure instanceof ConcurrentModificationException) {
            return "loop '" + info.name() + "' failed reading input #" + index + ": its input collection was modified"
                    + " while the loop ran (" + Texts.describe(failure) + "); do not change a loop's inputs while it"
                    + " runs, or pass a copy such as List.copyOf(inputs)";
        }
        return "loop '" + info.name() + "' failed reading input #" + index + " from its source: "
                + Texts.describe(failure);
    }

    /** A worker could not read an input of a random-access list (it changed under the loop): the loop fails. */
    void inputsFailed(long index, Throwable error) {
        String message = sourceMessage(index, error);
        lock.lock();
        try {
            if (!stopped) {
                stop(LoopOutcome.FAILURE, failure(message, error));
            }
        } finally {
            lock.unlock();
        }
    }

    void contextCloseFailed(Throwable error) {
        log.warn(
                "loop '{}': restoring a worker's context after a chunk failed: {}",
                info.name(),
                Texts.describe(error),
                error);
    }

    private void fail(String message, Throwable cause) {
        lock.lock();
        try {
            stop(LoopOutcome.FAILURE, failure(message, cause));
        } finally {
            lock.unlock();
        }
    }

    private ParallelForException failure(@Nullable String message, Throwable cause) {
        return new ParallelForException(
                message == null ? "loop '" + info.name() + "' failed" : message,
                info.name(),
                LoopOutcome.FAILURE,
                cause,
                failures);
    }

    /** Under the lock: every input has been read and has ended. */
    private boolean isComplete() {
        return exhausted && running.isEmpty() && ready.isEmpty() && retriesWaiting == 0 && handOffs.isEmpty();
    }

    private @Nullable LocalChunk firstNewChunk() {
        for (LocalChunk chunk : running) {
            if (chunk.isNew()) {
                return chunk;
            }
        }
        return null;
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
                while (!stopped && !halting && running.size() < plan.parallelism()) {
                    LocalChunk chunk = ready.poll();
                    if (chunk == null) {
                        chunk = cutIndexed();
                    }
                    if (chunk == null) {
                        break;
                    }
                    running.add(chunk);
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
            ParallelForException error = new ParallelForException(
                    "loop '" + info.name() + "' was cancelled: engine '" + info.engine() + "' rejected a task ("
                            + Texts.describe(e) + "); it is shut down or its queue is full",
                    info.name(),
                    LoopOutcome.CANCELLED,
                    e,
                    List.of());
            lock.lock();
            try {
                if (!stopped) {
                    stop(LoopOutcome.CANCELLED, error);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Under the lock: the next chunk of a random-access list, or null. No user code: the view is made by the runner. */
    private @Nullable LocalChunk cutIndexed() {
        if (exhausted || !(inputs instanceof Inputs.Indexed indexed)) {
            return null;
        }
        long room = plan.window() - (read - sink.low());
        int size = (int) Math.min(Math.min(plan.sizer().next(), indexed.size - read), room);
        if (size <= 0) {
            return null;
        }
        LocalChunk chunk = new LocalChunk(
                this, read, indexed.list, (int) read, size, 1, read == 0 && size == indexed.size, indexed.size);
        read += size;
        sink.extend(read);
        if (read >= indexed.size) {
            exhausted = true;
        }
        return chunk;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Worker side

    /** The array a local chunk writes its values into directly, or null. Read without the lock: never replaced. */
    @Nullable
    Object @Nullable [] directArray(long firstIndex, int size) {
        return sink instanceof Sink.Array array ? array.directArray(firstIndex, size) : null;
    }

    ContextPropagator.Scope installContext() {
        if (captured.isEmpty()) {
            return () -> {};
        }
        List<ContextPropagator.Scope> scopes = new ArrayList<>(captured.size());
        try {
            for (ContextPropagator.Captured c : captured) {
                scopes.add(Checks.notNull(c.install(), "installed context"));
            }
        } catch (Throwable e) {
            closeAll(scopes);
            throw e;
        }
        return () -> closeAll(scopes);
    }

    private static void closeAll(List<ContextPropagator.Scope> scopes) {
        Throwable first = null;
        for (int i = scopes.size() - 1; i >= 0; i--) {
            try {
                scopes.get(i).close();
            } catch (Throwable e) {
                first = first == null ? e : first;
            }
        }
        if (first instanceof RuntimeException e) {
            throw e;
        } else if (first instanceof Error e) {
            throw e;
        }
    }

    /** On the timer: a chunk abandoned after a task timeout. The consumer processes it. */
    void handOff(LocalChunk chunk, Ended outcome) {
        lock.lock();
        try {
            handOffs.add(new HandOff(chunk, outcome));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A chunk ended: decide retries (outside the lock: the predicate is user code), record values and failures, apply
     * the error policy, tell listeners, and refill the engine. Runs on the thread that ran the chunk, the consumer (a
     * chunk the timer abandoned), or a remote engine's callback thread.
     */
    @Nullable
    LocalChunk chunkEnded(LocalChunk chunk, Ended outcome, boolean mayContinue) {
        int ran = Math.min(outcome.ran(), chunk.size);
        Throwable[] errors = outcome.errors();
        boolean callerInterrupted = false;
        Object[] retry = null; // per input: a one-element array holding the input to retry
        TaskFailure[] finals = null;
        ParallelForException failFast = null;
        boolean stopping = halting;
        if (errors != null) {
            List<?> inputs = null;
            for (int i = 0; i < ran; i++) {
                Throwable error = errors[i];
                if (error == null) {
                    continue;
                }
                if (Thread.currentThread() == consumer && isInterruption(error) && !chunk.interruptedByLoop()) {
                    // The caller itself was interrupted while it ran a task (the sequential engine, an executor that
                    // runs tasks inline, or a consumer helping): that cancels the loop, it is no task failure.
                    callerInterrupted = true;
                    continue;
                }
                if (stopping && chunk.isCancelled()) {
                    continue;
                }
                if (inputs == null) {
                    inputs = safeInputs(chunk);
                }
                Object input = inputAt(inputs, i);
                if (!stopping && willRetry(chunk, error)) {
                    if (retry == null) {
                        retry = new Object[ran];
                    }
                    retry[i] = new Object[] {input};
                    continue;
                }
                if (finals == null) {
                    finals = new TaskFailure[ran];
                }
                finals[i] = new TaskFailure(chunk.firstIndex + i, input, error, chunk.attempt);
                if (plan.policy() == ErrorPolicy.FAIL_FAST && failFast == null) {
                    halting = true;
                    failFast = new ParallelForException(
                            Texts.failureMessage(info.name(), finals[i], 1, total),
                            info.name(),
                            LoopOutcome.FAILURE,
                            error,
                            List.of(finals[i]));
                }
            }
        }
        if (callerInterrupted) {
            interruptCaller = true;
        }
        // The rest of a chunk that stopped early is copied now, outside the lock: reading it may call user code.
        List<?> rest = ran < chunk.size ? restOf(chunk, ran) : null;
        int ok = 0;
        int failedNow = 0;
        int timedOutNow = 0;
        int retriedNow = 0;
        int cancelledNow = 0;
        lock.lock();
        try {
            if (ended) {
                running.remove(chunk);
                return null;
            }
            Object[] values = outcome.values();
            // A clean chunk whose values are already in place is counted at once, not input by input.
            boolean clean = errors == null && values == null && sink instanceof Sink.Array;
            if (clean && !stopped) {
                done += ran;
                ok = ran;
            }
            for (int i = clean ? ran : 0; i < ran; i++) {
                long index = chunk.firstIndex + i;
                Throwable error = errors == null ? null : errors[i];
                if (error == null) {
                    if (!stopped) {
                        if (values != null) {
                            sink.value(index, values[i]);
                        } else if (!(sink instanceof Sink.Array)) {
                            sink.value(index, null);
                        }
                        ok++;
                    }
                    continue;
                }
                if (retry != null && retry[i] != null && !stopped) {
                    retriedNow++;
                    retried++;
                    Object input = ((Object[]) retry[i])[0];
                    scheduleRetry(new LocalChunk(this, index, Collections.singletonList(input), chunk.attempt + 1));
                    continue;
                }
                TaskFailure failure = finals == null ? null : finals[i];
                if (failure == null) {
                    cancelledNow++; // interrupted because the loop stopped, or the caller's own interrupt
                    continue;
                }
                failedNow++;
                if (error instanceof TimeoutException) {
                    timedOutNow++;
                }
                if (stopped) {
                    if (stopOutcome == LoopOutcome.FAILURE
                            && stopError != null
                            && suppressed++ < Texts.MAX_SUPPRESSED) {
                        stopError.addSuppressed(error);
                    }
                    continue;
                }
                failed++;
                done++;
                failures.add(failure);
                sink.failed(index);
            }
            if (!clean) {
                done += ok; // volatile: written once per chunk, read by progress snapshots
            }
            if (callerInterrupted && !stopped) {
                stop(
                        LoopOutcome.CANCELLED,
                        new ParallelForException(
                                "loop '" + info.name() + "' was cancelled: the calling thread was interrupted (" + done
                                        + " inputs done)",
                                info.name(),
                                LoopOutcome.CANCELLED,
                                new InterruptedException("the calling thread was interrupted"),
                                failures));
            }
            if (failFast != null && !stopped) {
                stop(LoopOutcome.FAILURE, failFast);
            }
            if (rest != null && !stopped) {
                // The chunk stopped early (a task timed out, failed under FAIL_FAST and will be retried, or a remote
                // member gave up): run the rest again.
                ready.addFirst(new LocalChunk(this, chunk.firstIndex + ran, rest, chunk.attempt));
            }
            if (chunk.attempt == 1 && ran > 0 && errors == null) {
                plan.sizer().record(ran, outcome.nanos());
            }
        } finally {
            lock.unlock();
        }
        if (!ended) {
            // A chunk that ends while a stopped loop ends may still slip its events in just after loopFinished; one
            // that
            // ends after it does not report.
            events.tasks(TaskOutcome.SUCCESS, ok, outcome.nanos());
            events.tasks(TaskOutcome.FAILURE, failedNow - timedOutNow, 0);
            events.tasks(TaskOutcome.TIMEOUT, timedOutNow, 0);
            events.tasks(TaskOutcome.RETRY, retriedNow, 0);
            events.tasks(TaskOutcome.CANCELLED, cancelledNow, 0);
        }
        // Only now does the chunk stop counting as running, so the loop cannot end before its task events are out.
        LocalChunk next = null;
        // A worker of an executor its owner has shut down hands the next chunk to the engine instead, which refuses it
        // and so ends the loop with a clear error; running it here would keep the loop going on a dead pool.
        boolean continueHere =
                mayContinue && !plan.callerRuns() && Thread.currentThread() != consumer && !engineShutDown();
        lock.lock();
        try {
            running.remove(chunk);
            // A worker (not the loop's own thread, which has inputs to read and progress to report) takes the next
            // chunk itself instead of handing it to the engine.
            if (continueHere && !stopped && !halting) {
                next = ready.poll();
                if (next == null) {
                    next = cutIndexed();
                }
                if (next != null) {
                    running.add(next);
                }
            }
            if (sink instanceof Sink.Window || plan.callerRuns() || helps || isComplete() || wantsInput()) {
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

    /** Whether the engine's executor service has been shut down; an engine that cannot tell counts as shut down. */
    private boolean engineShutDown() {
        try {
            return plan.engine()
                    .stats()
                    .flatMap(EngineStats::executorService)
                    .map(ExecutorService::isShutdown)
                    .orElse(false);
        } catch (Throwable e) {
            return true; // the engine's own execute() will say what is wrong
        }
    }

    private static @Nullable List<?> safeInputs(LocalChunk chunk) {
        try {
            return chunk.inputs();
        } catch (Throwable e) {
            return null;
        }
    }

    private static @Nullable Object inputAt(@Nullable List<?> inputs, int offset) {
        try {
            return inputs == null ? null : inputs.get(offset);
        } catch (Throwable e) {
            return null;
        }
    }

    /** The inputs of a chunk from {@code offset} on, copied so that the rest runs without touching the source again. */
    private static List<?> restOf(LocalChunk chunk, int offset) {
        List<?> inputs = safeInputs(chunk);
        if (inputs == null) {
            return Collections.nCopies(chunk.size - offset, null);
        }
        try {
            return new ArrayList<>(inputs.subList(offset, chunk.size));
        } catch (Throwable e) {
            return Collections.nCopies(chunk.size - offset, null);
        }
    }

    private boolean willRetry(LocalChunk chunk, Throwable error) {
        if (chunk.attempt > plan.retries()) {
            return false;
        }
        try {
            return plan.retryOn().test(error);
        } catch (Throwable e) {
            log.warn("retry predicate of loop '{}' failed; not retrying: {}", info.name(), Texts.describe(e), e);
            return false;
        }
    }

    /** Under the lock. A due retry is queued by the timer and dispatched by the consumer or a worker, never the timer. */
    private void scheduleRetry(LocalChunk retry) {
        long delay = plan.backoffFor(
                retry.attempt - 1,
                java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        if (delay <= 0) {
            ready.add(retry);
            return;
        }
        retriesWaiting++;
        Timer.schedule(() -> retryDue(retry), delay);
    }

    private void retryDue(LocalChunk retry) {
        lock.lock();
        try {
            retriesWaiting--;
            if (!stopped) {
                ready.add(retry);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static boolean isInterruption(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof ClosedByInterruptException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stopping

    /** On the timer: the loop's deadline passed. Builds no message from user objects. */
    private void timedOut() {
        String of = total >= 0 ? " of " + total : "";
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            stop(
                    LoopOutcome.TIMEOUT,
                    new ParallelForException(
                            "loop '" + info.name() + "' timed out after " + plan.timeout() + " with " + done + of
                                    + " inputs done; raise its timeout or lower the work per loop",
                            info.name(),
                            LoopOutcome.TIMEOUT,
                            new TimeoutException("loop timeout of " + plan.timeout() + " elapsed"),
                            failures));
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
        for (LocalChunk chunk : running) {
            chunk.cancel();
        }
        ready.clear();
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (reading != null) {
            readInterrupted = true;
            reading.interrupt();
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
            for (LocalChunk chunk : running) {
                chunk.cancel();
            }
            ready.clear();
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
            runtime.learn(plan.sizer().key, learned);
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
        long known = total >= 0 ? total : (exhausted ? read : -1);
        return new Progress(
                info,
                known >= 0 ? OptionalLong.of(known) : OptionalLong.empty(),
                done,
                failed,
                retried,
                Duration.ofNanos(System.nanoTime() - startNanos),
                finished);
    }
}
