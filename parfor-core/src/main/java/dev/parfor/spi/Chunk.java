package dev.parfor.spi;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A contiguous run of a loop's inputs, handed to an {@link Engine}. A local engine calls {@link #run()} on one of
 * its threads; a remote engine ships {@link #task()}, {@link #inputs()} and the loop's context elsewhere, runs them
 * there with {@link ChunkOutcome#execute}, and reports back with {@link #complete} (or {@link #fail} when the chunk
 * could not run at all). A chunk ends exactly once; later reports are ignored. Thread-safe.
 */
public interface Chunk {

    /**
     * The loop body in the one form every engine runs: the input's index, the input and the loop's context in, the
     * result out. Serializable so that remote engines can ship it.
     */
    @FunctionalInterface
    interface Task extends Serializable {
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
     * The id of this run of the loop; unique across the JVMs of a cluster, the same for every chunk of the run.
     *
     * @return the id
     */
    String loopId();

    /**
     * The loop's name.
     *
     * @return the name
     */
    String loopName();

    /**
     * The index of the chunk's first input in the loop.
     *
     * @return the index, from 0
     */
    long firstIndex();

    /**
     * The chunk's inputs, in order.
     *
     * @return the inputs; do not modify
     */
    List<?> inputs();

    /**
     * Which attempt this is for its inputs: 1 for the first run, more for a retry (a retry has one input).
     *
     * @return the attempt
     */
    int attempt();

    /**
     * The loop body.
     *
     * @return the body, serializable when the user's body is
     */
    Task task();

    /**
     * The loop's shared context.
     *
     * @return the context, or {@code null} when the loop has none
     */
    @Nullable
    Object context();

    /**
     * The longest time one input of this chunk may run, for remote engines to pass to {@link ChunkOutcome#execute};
     * {@link #run()} enforces it by itself.
     *
     * @return the task timeout, or {@code null} when the loop has none
     */
    @Nullable
    Duration taskTimeout();

    /**
     * Whether the loop no longer wants this chunk's results (it failed fast, timed out or was cancelled). Engines
     * that cannot interrupt a running task should check it.
     *
     * @return {@code true} once cancelled
     */
    boolean isCancelled();

    /**
     * Runs the chunk on the current thread and reports its outcome to the loop. Does nothing when the chunk has
     * already been run, claimed by another thread, or cancelled. Never throws: every failure is part of the outcome.
     */
    void run();

    /**
     * Reports the outcome of a chunk run elsewhere. Ignored when the chunk has already ended.
     *
     * @param outcome what {@link ChunkOutcome#execute} returned
     */
    void complete(ChunkOutcome outcome);

    /**
     * Reports that the chunk could not run at all; every input in it fails with {@code error} (and may be retried).
     * Ignored when the chunk has already ended.
     *
     * @param error why the chunk could not run
     */
    void fail(Throwable error);
}
