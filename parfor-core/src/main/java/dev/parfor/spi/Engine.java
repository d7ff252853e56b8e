package dev.parfor.spi;

import dev.parfor.LoopInfo;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where a loop's chunks run. An engine only knows how to run one {@link Chunk} somewhere; ordering, chunking,
 * windowing, retries, timeouts, cancellation and events belong to the loop and are the same on every engine. The
 * built-in engines come from {@link dev.parfor.Engines}; implement this interface for a new kind.
 *
 * <p>Implementations must be thread-safe: many loops on many threads submit chunks at once.
 *
 * <p>The scheduler's contract with user code holds on every engine (the full list is in {@link dev.parfor.Loop}): every
 * call into user code is fenced and ends as an input's or the loop's failure; no user code runs under a loop's lock or
 * on the timer thread; a blocked source cannot hold a loop past its deadline; an input collection changed under a loop
 * fails it clearly; nested loops complete on any executor; a body's {@code CancellationException} is its own failure;
 * fast paths keep every promise; options are checked when set.
 *
 * <p>What the scheduler promises an engine, and asks of it:
 *
 * <ul>
 *   <li>Every method is called without any lock of the loop held, and never on parfor's timer thread: an engine may
 *       block briefly, run a chunk inline in {@link #execute}, or call back into parfor (a nested loop).
 *   <li>Whatever an engine method throws (any {@link Throwable}) ends the loop with a clear error naming the engine;
 *       it never hangs the loop. An engine must end every chunk it accepts: {@link Chunk#run()} on a local thread, or
 *       {@link Chunk#complete}/{@link Chunk#fail} for a remote one.
 *   <li>A chunk accepted by an executor service that later terminates without running it (the owner called
 *       {@code shutdownNow()}) is noticed through {@link #stats()}: the loop ends with an error within a second.
 * </ul>
 */
public interface Engine extends AutoCloseable {

    /**
     * The kind of engine, such as {@code fork-join}; used in metrics tags and the actuator.
     *
     * @return the type, lower-case with dashes
     */
    String type();

    /**
     * How many chunks this engine runs at once; also the default parallelism of its loops.
     *
     * @return at least 1
     */
    int parallelism();

    /**
     * Where chunks run: on the caller's thread, on local threads, or in other JVMs. The default is
     * {@link Placement#LOCAL}.
     *
     * @return the placement
     */
    default Placement placement() {
        return Placement.LOCAL;
    }

    /**
     * Runs the chunk asynchronously: call {@link Chunk#run()} on a worker thread (or inline, on the calling thread),
     * or, for a remote engine, send {@link Chunk#task()} and the inputs elsewhere and report back with
     * {@link Chunk#complete} or {@link Chunk#fail}. Never called for engines whose placement is
     * {@link Placement#CALLER}.
     *
     * @param chunk the chunk to run
     * @throws java.util.concurrent.RejectedExecutionException when the engine is shut down; the loop then ends with
     *     a clear error
     */
    void execute(Chunk chunk);

    /**
     * A loop is about to run on this engine; called once per loop on the caller's thread, before any chunk. A remote
     * engine checks here that the body and context can be sent and stores the context once. Throwing refuses the
     * loop before any task runs: the exception reaches the caller as it is.
     *
     * @param loop the loop
     * @param task the loop body
     * @param context the loop's context, or {@code null}
     */
    default void loopStarting(LoopInfo loop, Chunk.Task task, @Nullable Object context) {}

    /**
     * A loop that started on this engine has ended, however it ended; called exactly once after
     * {@link #loopStarting}. A remote engine removes what it stored for the loop. Chunks of the loop that are still
     * running elsewhere may end later; their outcomes are ignored.
     *
     * @param loop the loop
     */
    default void loopEnded(LoopInfo loop) {}

    /**
     * The engine's load, when it can tell.
     *
     * @return the statistics view, or empty
     */
    default Optional<EngineStats> stats() {
        return Optional.empty();
    }

    /**
     * Stops the engine: no new chunks are accepted; running tasks are interrupted. Closing twice does nothing. The
     * default does nothing.
     */
    @Override
    default void close() {}
}
