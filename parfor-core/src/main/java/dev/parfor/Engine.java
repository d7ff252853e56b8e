package dev.parfor;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * Where a loop's tasks run. An engine only knows how to run one {@link Chunk} somewhere; ordering, chunking,
 * windowing, retries, timeouts and events belong to the loop and are the same on every engine. Create the built-in
 * ones with {@link Engines}; implement this interface for a new kind.
 *
 * <p>Implementations must be thread-safe: many loops on many threads submit chunks at once.
 */
public interface Engine extends AutoCloseable {

    /**
     * The kind of engine, such as {@code fork-join}; used in metrics tags and the actuator.
     *
     * @return the type, lower-case with dashes
     */
    String type();

    /**
     * How many tasks this engine runs at once; also the default parallelism of its loops.
     *
     * @return at least 1
     */
    int parallelism();

    /**
     * Runs the chunk asynchronously: call {@link Chunk#run()} on a worker thread, or, for a remote engine, send
     * {@link Chunk#task()} and the inputs elsewhere and report back with {@link Chunk#complete} or
     * {@link Chunk#fail}. Must not block the caller for long, and must end every chunk it accepts.
     *
     * @param chunk the chunk to run
     * @throws java.util.concurrent.RejectedExecutionException when the engine is shut down; the loop then ends
     *     with a clear error
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
     * Whether chunks run on the thread that runs the loop (the caller), one after another, instead of through
     * {@link #execute}. Only the sequential engine does this.
     *
     * @return {@code true} to run chunks on the caller's thread
     */
    default boolean runsOnCaller() {
        return false;
    }

    /**
     * Whether tasks run in this JVM, so that the context is shared as the same instance and thread-local context is
     * carried over. Remote engines return {@code false}.
     *
     * @return {@code true} for engines that run in this JVM
     */
    default boolean isLocal() {
        return true;
    }

    /**
     * Tasks running now, for the actuator.
     *
     * @return the count, or -1 when unknown
     */
    default int activeCount() {
        return -1;
    }

    /**
     * Tasks accepted but not yet started, for the actuator.
     *
     * @return the count, or -1 when unknown
     */
    default long queuedCount() {
        return -1;
    }

    /**
     * The executor service behind this engine, when there is one, so that metrics can observe its pool.
     *
     * @return the executor service, or empty
     */
    default Optional<ExecutorService> executorService() {
        return Optional.empty();
    }

    /**
     * Stops the engine: no new chunks are accepted; running tasks are interrupted. Closing twice does nothing. The
     * default does nothing.
     */
    @Override
    default void close() {}
}
