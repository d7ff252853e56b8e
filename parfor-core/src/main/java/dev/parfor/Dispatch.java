package dev.parfor;

import dev.parfor.spi.Engine;
import dev.parfor.spi.EngineStats;
import dev.parfor.spi.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Hands a loop's chunks to its engine while fewer than {@code parallelism} run, and watches that the engine still runs
 * what it took. Dispatch is pumped per loop: one thread at a time, and a request made meanwhile (an engine that ran a
 * chunk inline, inside {@code execute}, or a worker finishing) is served by the thread already pumping. The engine's
 * {@code execute} is user code: it is called outside the loop's lock, and what it throws stops the loop. So are the
 * engine's {@code stats()} and its executor service (an engine over the application's own executor): every call is
 * fenced, and the executor service is looked up once per loop, not once per chunk.
 */
final class Dispatch {

    private final LoopState state;
    private final ChunkQueue queue;
    private final Engine engine;
    private final String engineName;
    private final LoopErrors errors;
    private final int parallelism;
    private final boolean callerRuns;
    private final boolean watchesEngine;
    /** The executor service a local engine runs chunks in, or null (none, or the loop does not watch its engine). */
    private final @Nullable ExecutorService executor;
    /** Whether the engine failed to say what executor it runs chunks in: it counts as shut down, never terminated. */
    private final boolean engineUnknown;
    /** Whether the consumer runs chunks itself (the loop runs on the caller, or the consumer helps): wake it for each. */
    private final boolean wakesConsumer;

    private final AtomicInteger pumps = new AtomicInteger();

    /** @param helps whether the consumer, a worker of the engine, runs the loop's queued chunks itself */
    Dispatch(LoopState state, ChunkQueue queue, Plan plan, boolean helps, LoopErrors errors) {
        this.state = state;
        this.queue = queue;
        this.engine = plan.engine();
        this.engineName = plan.engineName();
        this.errors = errors;
        this.parallelism = plan.parallelism();
        this.callerRuns = plan.callerRuns();
        this.watchesEngine = plan.placement() == Placement.LOCAL && !callerRuns;
        this.wakesConsumer = callerRuns || helps;
        ExecutorService service = null;
        boolean unknown = false;
        if (watchesEngine) {
            try {
                service = engine.stats().flatMap(EngineStats::executorService).orElse(null);
            } catch (Throwable e) {
                unknown = true;
            }
        }
        this.executor = service;
        this.engineUnknown = unknown;
    }

    /**
     * Hands chunks to the engine while fewer than {@code parallelism} run. Any thread but the timer may call it, never
     * under the lock. One thread pumps a loop at a time; a call made while another pumps is folded into that pump's
     * next round. A loop that runs on the caller only has its chunks started here: the consumer runs them.
     */
    void pump() {
        if (pumps.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            List<LocalChunk> toSubmit = null;
            state.lock.lock();
            try {
                boolean added = false;
                while (!state.stopped() && !state.halting) {
                    LocalChunk chunk = queue.start(true);
                    if (chunk == null) {
                        break;
                    }
                    added = true;
                    if (!callerRuns) {
                        if (toSubmit == null) {
                            toSubmit = new ArrayList<>(Math.min(parallelism, 64));
                        }
                        toSubmit.add(chunk);
                    }
                }
                if (added && wakesConsumer) {
                    state.changed.signalAll();
                }
            } finally {
                state.lock.unlock();
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
            engine.execute(chunk);
        } catch (Throwable e) {
            ParallelForException error = errors.rejected(engineName, e);
            state.stopOnce(Outcome.CANCELLED, failures -> error);
        }
    }

    /**
     * On the consumer, outside the lock: a chunk waiting in an executor service that has terminated will never run, so
     * the loop ends instead of waiting for it.
     */
    void checkEngine() {
        if (!ask(ExecutorService::isTerminated, false)) {
            return;
        }
        ParallelForException error = errors.executorTerminated(engineName);
        state.lock.lock();
        try {
            if (!state.stopped() && queue.firstNew() != null) {
                state.stop(Outcome.CANCELLED, failures -> error);
            }
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Whether a worker of this engine may run the loop's next chunk itself. A worker of an executor its owner has shut
     * down hands the next chunk to the engine instead, which refuses it and so ends the loop with a clear error;
     * running it there would keep the loop going on a dead pool.
     */
    boolean mayContinueOnWorker() {
        return !callerRuns && !engineUnknown && !ask(ExecutorService::isShutdown, true);
    }

    /** Asks the engine's executor service; false when there is none, {@code whenItFails} when the question throws. */
    private boolean ask(Predicate<ExecutorService> question, boolean whenItFails) {
        if (executor == null) {
            return false;
        }
        try {
            return question.test(executor);
        } catch (Throwable e) {
            return whenItFails;
        }
    }
}
