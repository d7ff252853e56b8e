package dev.parfor;

import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a loop: the engine-agnostic scheduler. It reads inputs lazily, cuts them into chunks, keeps at most
 * {@code parallelism} chunks on the engine, applies retries, timeouts and the error policy, and hands results to
 * the one thread that consumes them (the caller of {@code map}/{@code run}, or the reader of a result stream) in
 * input order or in completion order.
 *
 * <p>Dispatch happens on whichever thread notices there is room: the consumer, or a worker that has just finished a
 * chunk (so a busy loop needs no wake-up of the consumer between chunks). Inputs are therefore read under the
 * loop's lock, one thread at a time.
 */
final class LoopRun<T, R> {

    private static final Logger log = LoggerFactory.getLogger(LoopRun.class);
    /** Loops expected to take less than this in all run on the caller's thread. */
    private static final long INLINE_NANOS = 20_000;

    private static final ThreadLocal<boolean[]> PUMPING = ThreadLocal.withInitial(() -> new boolean[1]);

    enum Mode {
        /** Every result is collected by the caller (map, run, forEach). */
        ALL,
        /** A stream in input order, with a bounded window. */
        ORDERED,
        /** A stream in completion order, with a bounded window. */
        UNORDERED
    }

    /** What the consumer receives for one input. */
    record Slot(@Nullable Object value, @Nullable TaskFailure failure) {}

    final LoopInfo info;
    final Chunk.Task task;
    final @Nullable Object context;
    final long taskTimeoutNanos;

    private final Engine engine;
    private final ParallelFor owner;
    private final String sizerKey;
    private final ErrorPolicy policy;
    private final int maxRetries;
    private final long backoffNanos;
    private final Predicate<Throwable> retryOn;
    private final @Nullable Duration timeout;
    private final int parallelism;
    private final Mode mode;
    private final long window;
    private final @Nullable ProgressListener progress;
    private final long progressIntervalNanos;
    private final List<LoopListener> listeners;
    // Captured in start(), after listeners have seen the loop, so that what they put in scope (the loop's
    // observation) is part of the context the tasks see. Written before the first chunk is handed to the engine.
    private List<ContextPropagator.Captured> captured = List.of();
    private final Iterator<?> source;
    private final @Nullable List<?> sourceList;
    private final long knownTotal;
    private final boolean direct;
    private final Thread consumer;
    private final long startNanos;
    private final boolean callerRuns;
    private final boolean helpWhenWaiting;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // Guarded by lock.
    private final Ring ring;
    private final ChunkSizer sizer;
    private final Set<Chunk> running = new LinkedHashSet<>();
    private final ArrayDeque<Chunk> ready = new ArrayDeque<>();
    private final ArrayDeque<Long> completed = new ArrayDeque<>();
    private final List<TaskFailure> failures = new ArrayList<>();
    // Mode ALL keeps every value here, by input index; written directly by local chunks when the size is known.
    private @Nullable Object @Nullable [] results;
    private long read;
    private boolean exhausted;
    private int retriesWaiting;
    private boolean stopped;
    private boolean ended;
    private @Nullable ParallelForException stopError;
    private @Nullable TaskFailure firstFailure;
    private LoopOutcome stopOutcome = LoopOutcome.CANCELLED;
    private int suppressed;
    private @Nullable ScheduledFuture<?> deadline;
    private volatile boolean needsPump;
    // Set, without the lock, the moment a task fails for good under FAIL_FAST: workers stop starting inputs and
    // dispatching chunks at once instead of when the failing thread gets the lock to stop the loop.
    volatile boolean halting;
    private boolean interruptCallerOnExit;

    // Written under lock, read without it for progress snapshots.
    private volatile long done;
    private volatile long failed;
    private volatile long retried;

    private long nextProgressNanos;

    LoopRun(
            ParallelFor owner,
            String name,
            String engineName,
            Engine engine,
            Chunk.Task task,
            @Nullable Object context,
            Source source,
            Settings settings,
            Mode mode) {
        this.owner = owner;
        this.engine = engine;
        this.task = task;
        this.context = context;
        this.source = source.iterator();
        this.sourceList = source.list();
        this.knownTotal = source.size();
        this.mode = mode;
        this.policy = settings.onError;
        this.maxRetries = settings.retries;
        this.backoffNanos = settings.backoff.toNanos();
        this.retryOn = settings.retryOn;
        this.timeout = settings.timeout;
        this.taskTimeoutNanos = settings.taskTimeout == null ? 0 : settings.taskTimeout.toNanos();
        this.parallelism = settings.parallelism;
        this.progress = settings.progress;
        this.progressIntervalNanos = settings.progressInterval.toNanos();
        this.listeners = owner.listeners();
        this.consumer = Thread.currentThread();
        this.sizerKey = name + '@' + engineName;
        double learned = owner.learnedNanosPerInput(sizerKey);
        // A loop whose whole work took less than a hand-off to another thread in earlier runs runs on the caller:
        // the latency a web request pays for a small loop is then the work itself.
        boolean tiny = engine.isLocal()
                && mode == Mode.ALL
                && knownTotal >= 0
                && taskTimeoutNanos == 0
                && !Double.isNaN(learned)
                && knownTotal * learned < INLINE_NANOS;
        this.callerRuns = engine.runsOnCaller() || tiny;
        // A worker thread that waits for a nested loop runs that loop's queued chunks itself: this is what keeps
        // nested loops from deadlocking when every worker of the engine is busy in an outer body.
        this.helpWhenWaiting = callerRuns || (engine.isLocal() && Chunk.onWorkerThread());
        this.info = new LoopInfo(owner.newLoopId(), name, engineName, engine.type(), parallelism, Instant.now());
        this.startNanos = System.nanoTime();
        this.window = mode == Mode.ALL ? Long.MAX_VALUE : Math.max(65_536L, 4L * parallelism);
        int maxChunk;
        if (mode != Mode.ALL) {
            maxChunk = (int) Math.max(1, window / (4L * parallelism));
        } else if (knownTotal >= 0 && tiny) {
            maxChunk = (int) Math.max(1, knownTotal); // all of it on the caller: one chunk
        } else if (knownTotal >= 0 && !engine.isLocal()) {
            // Every chunk of a remote engine pays a network round trip: one wave of chunks, not eight.
            maxChunk = (int) Math.max(1, Math.min(1 << 20, knownTotal / parallelism));
        } else if (knownTotal >= 0) {
            maxChunk = (int) Math.max(1, Math.min(1 << 20, knownTotal / (8L * parallelism)));
        } else {
            maxChunk = 16_384;
        }
        this.sizer = new ChunkSizer(
                settings.chunkSize,
                maxChunk,
                learned,
                engine.isLocal() ? ChunkSizer.TARGET_CHUNK_NANOS : ChunkSizer.REMOTE_TARGET_CHUNK_NANOS);
        this.ring = new Ring(mode == Mode.ALL ? 16 : 1024);
        this.direct = mode == Mode.ALL
                && knownTotal >= 0
                && knownTotal < Integer.MAX_VALUE - 8
                && taskTimeoutNanos == 0
                && engine.isLocal();
        if (mode == Mode.ALL) {
            this.results =
                    new Object[(int) Math.max(0, Math.min(knownTotal >= 0 ? knownTotal : 1024, Integer.MAX_VALUE - 8))];
        }
    }

    /** The effective settings of one loop, after every layer of options has been merged. */
    record Settings(
            int parallelism,
            int chunkSize,
            ErrorPolicy onError,
            int retries,
            Duration backoff,
            Predicate<Throwable> retryOn,
            @Nullable Duration timeout,
            @Nullable Duration taskTimeout,
            @Nullable ProgressListener progress,
            Duration progressInterval) {}

    /** The inputs: an iterator read lazily, and its size when known up front (-1 otherwise). */
    record Source(Iterator<?> iterator, long size, @Nullable List<?> list) {
        Source(Iterator<?> iterator, long size) {
            this(iterator, size, null);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Start and the consumer's side

    void start() {
        engine.loopStarting(info, task, context);
        try {
            owner.register(this);
        } catch (RuntimeException e) {
            engine.loopEnded(info);
            throw e;
        }
        for (LoopListener listener : listeners) {
            try {
                listener.loopStarted(info);
            } catch (RuntimeException e) {
                log.warn("LoopListener {} failed in loopStarted for loop '{}'", listener, info.name(), e);
            }
        }
        if (engine.isLocal() && !callerRuns) {
            List<ContextPropagator.Captured> capturedNow = new ArrayList<>();
            for (ContextPropagator propagator : owner.propagators()) {
                capturedNow.add(propagator.capture());
            }
            captured = capturedNow;
        }
        if (timeout != null) {
            deadline = Chunk.Timer.schedule(this::timedOut, timeout.toNanos());
        }
        nextProgressNanos = startNanos + progressIntervalNanos;
    }

    /** Collects every result, in input order (mode ALL). Throws as the error policy says. */
    List<R> collect(@Nullable Object fallback, List<TaskFailure> failuresOut) {
        List<Slot> none = new ArrayList<>(0);
        while (awaitSlots(none, 0)) {
            // Mode ALL delivers nothing before the end.
        }
        List<TaskFailure> sorted = sortedFailures();
        Object[] values;
        lock.lock();
        try {
            values = results.length == read ? results : java.util.Arrays.copyOf(results, (int) read);
        } finally {
            lock.unlock();
        }
        for (TaskFailure failure : sorted) {
            values[(int) failure.index()] = fallback;
        }
        failuresOut.addAll(sorted);
        @SuppressWarnings("unchecked")
        List<R> list = (List<R>) java.util.Arrays.asList(values);
        return list;
    }

    List<TaskFailure> sortedFailures() {
        lock.lock();
        try {
            List<TaskFailure> sorted = new ArrayList<>(failures);
            sorted.sort(Comparator.comparingLong(TaskFailure::index));
            return sorted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at least one result can be delivered, then moves up to {@code max} of them into {@code out}.
     *
     * @return {@code false} when the loop has ended (after the last results were moved)
     * @throws ParallelForException when the loop stopped (fail-fast, timeout, interrupt)
     */
    boolean awaitSlots(List<Slot> out, int max) {
        while (true) {
            pump();
            Chunk toRun = null;
            lock.lock();
            try {
                if (stopped) {
                    break;
                }
                if (max > 0) {
                    drain(out, max);
                    if (!out.isEmpty()) {
                        return true;
                    }
                }
                if (isComplete()) {
                    lock.unlock();
                    try {
                        end(failed > 0 ? LoopOutcome.PARTIAL : LoopOutcome.SUCCESS, null);
                    } finally {
                        lock.lock();
                    }
                    return false;
                }
                if (helpWhenWaiting) {
                    toRun = firstNewChunk();
                }
                if (toRun == null) {
                    long waitNanos = progress == null
                            ? TimeUnit.SECONDS.toNanos(1)
                            : Math.max(1, nextProgressNanos - System.nanoTime());
                    changed.awaitNanos(waitNanos);
                }
            } catch (InterruptedException e) {
                callerInterrupted(e);
                Thread.currentThread().interrupt();
                break;
            } finally {
                if (lock.isHeldByCurrentThread()) {
                    lock.unlock();
                }
            }
            if (toRun != null) {
                toRun.run();
                if (callerRuns && Thread.interrupted()) {
                    // The caller was interrupted while running a chunk itself (not by parfor): cancel the loop.
                    lock.lock();
                    try {
                        callerInterrupted(new InterruptedException());
                    } finally {
                        lock.unlock();
                    }
                    Thread.currentThread().interrupt();
                }
            }
            reportProgress(false);
        }
        ParallelForException error = stopError;
        if (interruptCallerOnExit) {
            Thread.currentThread().interrupt();
        }
        end(stopOutcome, error);
        if (error != null) {
            throw error;
        }
        return false;
    }

    /** Under the lock: every input has been read and has ended. */
    private boolean isComplete() {
        return exhausted && running.isEmpty() && ready.isEmpty() && retriesWaiting == 0;
    }

    private void drain(List<Slot> out, int max) {
        if (mode == Mode.UNORDERED) {
            while (out.size() < max && !completed.isEmpty()) {
                long index = completed.poll();
                out.add(slot(index));
                ring.take(index);
            }
            return;
        }
        while (out.size() < max && ring.low() < read && ring.state(ring.low()) != Ring.PENDING) {
            out.add(slot(ring.low()));
            ring.advance();
        }
    }

    private Slot slot(long index) {
        Object value = ring.value(index);
        return ring.state(index) == Ring.FAILED ? new Slot(null, (TaskFailure) value) : new Slot(value, null);
    }

    private @Nullable Chunk firstNewChunk() {
        for (Chunk chunk : running) {
            if (chunk.isNew()) {
                return chunk;
            }
        }
        return null;
    }

    /** Ends the loop early because the consumer no longer wants results (a stream closed before its end). */
    void cancel() {
        lock.lock();
        try {
            if (!stopped) {
                stop(LoopOutcome.CANCELLED, null);
            }
        } finally {
            lock.unlock();
        }
        end(LoopOutcome.CANCELLED, null);
    }

    /** Runs once: unregisters, reports the final progress and tells listeners. */
    private void end(LoopOutcome outcome, @Nullable Throwable error) {
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            if (!stopped) {
                stopped = true;
                stopOutcome = outcome;
            }
            for (Chunk chunk : running) {
                chunk.cancel();
            }
            ready.clear();
            if (deadline != null) {
                deadline.cancel(false);
            }
        } finally {
            lock.unlock();
        }
        owner.unregister(this);
        try {
            engine.loopEnded(info);
        } catch (RuntimeException e) {
            log.warn("engine '{}' failed to clean up after loop '{}'", info.engine(), info.name(), e);
        }
        if (!Double.isNaN(sizer.nanosPerInput())) {
            owner.learn(sizerKey, sizer.nanosPerInput());
        }
        Progress last = progress(true);
        for (LoopListener listener : listeners) {
            try {
                listener.loopFinished(info, outcome, error, last);
            } catch (RuntimeException e) {
                log.warn("LoopListener {} failed in loopFinished for loop '{}'", listener, info.name(), e);
            }
        }
        if (progress != null) {
            callProgress(last);
        }
    }

    private void reportProgress(boolean force) {
        if (progress == null) {
            return;
        }
        long now = System.nanoTime();
        if (force || now >= nextProgressNanos) {
            nextProgressNanos = now + progressIntervalNanos;
            callProgress(progress(false));
        }
    }

    private void callProgress(Progress snapshot) {
        try {
            progress.onProgress(snapshot);
        } catch (RuntimeException e) {
            log.warn("ProgressListener failed for loop '{}'", info.name(), e);
        }
    }

    Progress progress(boolean finished) {
        long total = knownTotal >= 0 ? knownTotal : (exhausted ? read : -1);
        return new Progress(
                info.id(),
                info.name(),
                info.engine(),
                total >= 0 ? OptionalLong.of(total) : OptionalLong.empty(),
                done,
                failed,
                retried,
                info.startedAt(),
                Duration.ofNanos(System.nanoTime() - startNanos),
                finished);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Dispatch

    /** Puts chunks on the engine while there is room. Safe to call from any thread; re-entrant calls are folded. */
    void pump() {
        boolean[] pumping = PUMPING.get();
        if (pumping[0]) {
            // An engine ran a chunk inline inside execute(); the outer pump continues where this one would.
            needsPump = true;
            return;
        }
        pumping[0] = true;
        try {
            do {
                needsPump = false;
                List<Chunk> toSubmit = null;
                lock.lock();
                try {
                    while (!stopped && !halting && running.size() < parallelism) {
                        Chunk chunk = ready.poll();
                        if (chunk == null) {
                            chunk = readChunk();
                        }
                        if (chunk == null) {
                            break;
                        }
                        running.add(chunk);
                        if (!callerRuns) {
                            if (toSubmit == null) {
                                toSubmit = new ArrayList<>(Math.min(parallelism, 64));
                            }
                            toSubmit.add(chunk);
                        }
                    }
                    if (callerRuns && !running.isEmpty()) {
                        changed.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
                if (toSubmit != null) {
                    for (Chunk chunk : toSubmit) {
                        submit(chunk);
                    }
                }
            } while (needsPump);
        } finally {
            pumping[0] = false;
        }
    }

    private void submit(Chunk chunk) {
        try {
            engine.execute(chunk);
        } catch (RuntimeException e) {
            lock.lock();
            try {
                if (!stopped) {
                    stop(
                            LoopOutcome.CANCELLED,
                            "loop '" + info.name() + "' was cancelled: engine '" + info.engine()
                                    + "' rejected a task (" + e.getMessage()
                                    + "); it is shut down or its queue is full",
                            e);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** Reads the next chunk of inputs, under the lock. Returns null when there is none or the window is full. */
    private @Nullable Chunk readChunk() {
        if (exhausted || read - ring.low() >= window) {
            return null;
        }
        int size = (int) Math.min(sizer.next(), window - (read - ring.low()));
        List<?> inputs;
        if (sourceList != null) {
            // A random-access list: chunks are views, nothing is copied.
            int from = (int) read;
            int to = (int) Math.min(sourceList.size(), (long) from + size);
            inputs = sourceList.subList(from, to);
            if (to >= sourceList.size()) {
                exhausted = true;
            }
        } else {
            List<Object> copied = new ArrayList<>(Math.min(size, 1024));
            try {
                while (copied.size() < size && source.hasNext()) {
                    copied.add(source.next());
                }
                if (!source.hasNext()) {
                    exhausted = true;
                }
            } catch (RuntimeException e) {
                exhausted = true;
                stop(
                        LoopOutcome.FAILURE,
                        "loop '" + info.name() + "' failed reading input #" + (read + copied.size())
                                + " from its source: " + e,
                        e);
                return null;
            }
            inputs = copied;
        }
        if (inputs.isEmpty()) {
            return null;
        }
        long first = read;
        read += inputs.size();
        if (mode == Mode.ALL) {
            if (read > results.length) {
                results = java.util.Arrays.copyOf(
                        results, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(read, 2L * results.length)));
            }
        } else {
            ring.extendTo(read);
        }
        return new Chunk(this, first, inputs, 1);
    }

    /** The array local chunks write values into directly, or null when they must hand values back. */
    @Nullable
    Object @Nullable [] directResults() {
        return direct ? results : null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Worker side

    ContextPropagator.Scope installContext() {
        if (captured.isEmpty()) {
            return () -> {};
        }
        List<ContextPropagator.Scope> scopes = new ArrayList<>(captured.size());
        for (ContextPropagator.Captured c : captured) {
            scopes.add(c.install());
        }
        return () -> {
            for (int i = scopes.size() - 1; i >= 0; i--) {
                scopes.get(i).close();
            }
        };
    }

    /** A task failed on a worker: under FAIL_FAST, stop the loop now rather than when the chunk ends. */
    void taskFailedEarly(Chunk chunk, long index, @Nullable Object input, Throwable error) {
        if (callerRuns && Thread.currentThread() == consumer && isInterruption(error) && !chunk.interruptedByLoop()) {
            // The caller itself was interrupted while running a task on its own thread: cancel, do not fail.
            lock.lock();
            try {
                interruptCallerOnExit = true;
                callerInterrupted(error);
            } finally {
                lock.unlock();
            }
            return;
        }
        if (policy != ErrorPolicy.FAIL_FAST || willRetry(chunk, error)) {
            return;
        }
        halting = true;
        lock.lock();
        try {
            if (!stopped) {
                failFast(new TaskFailure(index, input, error, chunk.attempt));
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean willRetry(Chunk chunk, Throwable error) {
        if (chunk.attempt > maxRetries) {
            return false;
        }
        try {
            return retryOn.test(error);
        } catch (RuntimeException e) {
            log.warn("retry predicate of loop '{}' failed; not retrying", info.name(), e);
            return false;
        }
    }

    /** A chunk ended: record its results, schedule retries, apply the error policy and refill the engine. */
    void chunkEnded(Chunk chunk, Chunk.Outcome outcome) {
        int ok = 0;
        int failedNow = 0;
        int retriedNow = 0;
        int cancelledNow = 0;
        int timedOutNow = 0;
        List<Chunk> retryNow = null;
        lock.lock();
        try {
            if (ended) {
                running.remove(chunk);
                return;
            }
            int size = chunk.inputs.size();
            boolean clean = outcome.errors == null && outcome.values == null && mode == Mode.ALL;
            if (clean && !stopped) {
                // Every value is already in place: count the chunk at once, not input by input under the lock.
                done += outcome.ran;
                ok = outcome.ran;
            }
            for (int i = clean ? outcome.ran : 0; i < outcome.ran; i++) {
                long index = chunk.firstIndex + i;
                Throwable error = outcome.errors == null ? null : outcome.errors[i];
                if (error == null) {
                    if (stopped) {
                        continue;
                    }
                    if (mode == Mode.ALL) {
                        if (outcome.values != null) {
                            results[(int) index] = outcome.values[i];
                        }
                    } else {
                        ring.set(index, outcome.values == null ? null : outcome.values[i], Ring.OK);
                        if (mode == Mode.UNORDERED) {
                            completed.add(index);
                        }
                    }
                    done++;
                    ok++;
                    continue;
                }
                if (i == outcome.timedOut) {
                    timedOutNow++;
                }
                if (stopped && chunk.isCancelled() && isInterruption(error)) {
                    cancelledNow++;
                    continue;
                }
                Object input = chunk.inputs.get(i);
                if (!stopped && willRetry(chunk, error)) {
                    retriedNow++;
                    retried++;
                    Chunk retry = new Chunk(this, index, Collections.singletonList(input), chunk.attempt + 1);
                    long delay = backoffFor(chunk.attempt);
                    if (delay <= 0) {
                        if (retryNow == null) {
                            retryNow = new ArrayList<>();
                        }
                        retryNow.add(retry);
                    } else {
                        retriesWaiting++;
                        Chunk.Timer.schedule(() -> retryDue(retry), delay);
                    }
                    continue;
                }
                failedNow++;
                if (stopped) {
                    if (firstFailure != null && firstFailure.error() == error) {
                        // Reported early by the worker, which stopped the loop; count it now.
                        failed++;
                        done++;
                        failures.add(firstFailure);
                    } else if (stopOutcome == LoopOutcome.FAILURE
                            && stopError != null
                            && suppressed++ < Texts.MAX_SUPPRESSED) {
                        stopError.addSuppressed(error);
                    }
                    continue;
                }
                TaskFailure failure = new TaskFailure(index, input, error, chunk.attempt);
                failed++;
                done++;
                failures.add(failure);
                if (mode != Mode.ALL) {
                    ring.set(index, failure, Ring.FAILED);
                    if (mode == Mode.UNORDERED) {
                        completed.add(index);
                    }
                }
                if (policy == ErrorPolicy.FAIL_FAST) {
                    failFast(failure);
                }
            }
            if (outcome.ran < size && !stopped) {
                // The chunk stopped early (its task timed out, or a remote member gave up): run the rest again.
                ready.addFirst(new Chunk(
                        this, chunk.firstIndex + outcome.ran, chunk.inputs.subList(outcome.ran, size), chunk.attempt));
            }
            if (retryNow != null) {
                ready.addAll(retryNow);
            }
            if (chunk.attempt == 1 && outcome.ran > 0 && outcome.timedOut < 0) {
                sizer.record(outcome.ran, outcome.nanos);
            }
        } finally {
            lock.unlock();
        }
        long nanos = outcome.nanos;
        fire(TaskOutcome.SUCCESS, ok, nanos);
        fire(TaskOutcome.FAILURE, failedNow - timedOutNow, 0);
        fire(TaskOutcome.TIMEOUT, timedOutNow, 0);
        fire(TaskOutcome.RETRY, retriedNow, 0);
        fire(TaskOutcome.CANCELLED, cancelledNow, 0);
        // Only now does the chunk stop counting as running, so the loop cannot end before its task events are out.
        lock.lock();
        try {
            running.remove(chunk);
            // map/run/forEach wait only for the end of the loop (stops signal on their own); streams and helping
            // workers want every chunk.
            if (mode != Mode.ALL || helpWhenWaiting || isComplete()) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (!callerRuns) {
            pump();
        }
    }

    private void fire(TaskOutcome outcome, int count, long nanos) {
        if (count <= 0) {
            return;
        }
        for (LoopListener listener : listeners) {
            try {
                listener.tasksEnded(info, outcome, count, nanos);
            } catch (RuntimeException e) {
                log.warn("LoopListener {} failed in tasksEnded for loop '{}'", listener, info.name(), e);
            }
        }
    }

    private long backoffFor(int attempt) {
        if (backoffNanos <= 0) {
            return 0;
        }
        // Doubles per retry, capped so a large retry count cannot overflow into a negative delay.
        return backoffNanos << Math.min(attempt - 1, 20);
    }

    private void retryDue(Chunk retry) {
        lock.lock();
        try {
            retriesWaiting--;
            if (stopped) {
                return;
            }
            ready.add(retry);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (!callerRuns) {
            pump();
        }
    }

    private static boolean isInterruption(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException
                    || t instanceof ClosedByInterruptException
                    || t instanceof java.util.concurrent.CancellationException) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stopping

    /** Under the lock: the first failure under FAIL_FAST. */
    private void failFast(TaskFailure failure) {
        firstFailure = failure;
        stop(
                LoopOutcome.FAILURE,
                new ParallelForException(
                        Texts.failureMessage(info.name(), failure, 1, knownTotal),
                        info.name(),
                        LoopOutcome.FAILURE,
                        failure.error(),
                        List.of(failure)));
    }

    private void timedOut() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            String total = knownTotal >= 0 ? " of " + knownTotal : "";
            stop(
                    LoopOutcome.TIMEOUT,
                    "loop '" + info.name() + "' timed out after " + timeout + " with " + done + total
                            + " inputs done; raise its timeout or lower the work per loop",
                    new TimeoutException("loop timeout of " + timeout + " elapsed"));
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: stops the loop with an exception for the caller that carries the failures known so far. */
    private void stop(LoopOutcome outcome, String message, Throwable cause) {
        stop(outcome, new ParallelForException(message, info.name(), outcome, cause, failures));
    }

    /** Under the lock: the thread running the loop was interrupted by someone other than parfor. */
    private void callerInterrupted(Throwable cause) {
        stop(
                LoopOutcome.CANCELLED,
                "loop '" + info.name() + "' was cancelled: the calling thread was interrupted (" + done
                        + " inputs done)",
                cause);
    }

    /** Under the lock: stops dispatch, cancels what runs, wakes the consumer. */
    private void stop(LoopOutcome outcome, @Nullable ParallelForException error) {
        if (stopped) {
            return;
        }
        stopped = true;
        halting = true;
        stopOutcome = outcome;
        stopError = error;
        for (Chunk chunk : running) {
            chunk.cancel();
        }
        ready.clear();
        if (deadline != null) {
            deadline.cancel(false);
        }
        changed.signalAll();
    }

    /** Cancels a running loop from outside (the engine or the application is shutting down). */
    void abort(String why) {
        lock.lock();
        try {
            stop(
                    LoopOutcome.CANCELLED,
                    "loop '" + info.name() + "' was cancelled: " + why,
                    new java.util.concurrent.CancellationException(why));
        } finally {
            lock.unlock();
        }
    }
}
