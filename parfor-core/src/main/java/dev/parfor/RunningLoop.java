package dev.parfor;

import java.util.List;

/**
 * A loop that is running now, as {@link ParallelFor#running()} lists it: what it is, how far it got, what failed so
 * far, and a way to stop it from outside (an operator's cancel button). Thread-safe; every method returns at once.
 */
public interface RunningLoop {

    /**
     * How far the loop got, and which loop it is ({@link Progress#info()}: its id, name, engine and parallelism).
     *
     * @return a snapshot taken now
     */
    Progress progress();

    /**
     * The options in effect, after every layer (configuration for the loop's name, the call site, the engine's
     * defaults, parfor's defaults) was merged: {@code engine}, {@code parallelism}, {@code chunkSize} ({@code auto}
     * unless fixed), {@code onError}, {@code retries}, {@code backoff}, {@code backoffMultiplier}, {@code maxBackoff},
     * {@code jitter}, {@code timeout}, {@code taskTimeout} and {@code limit}, each as text ({@code none} when unset).
     *
     * @return an unmodifiable map, in that order
     */
    java.util.Map<String, String> options();

    /**
     * The inputs that failed for good so far, in input order.
     *
     * @return a snapshot; empty when none failed
     */
    List<TaskFailure> failures();

    /**
     * Cancels the loop as a caller interrupt would: nothing more is started, running tasks are interrupted, and the
     * loop's caller gets a {@link ParallelForException} with outcome {@link Outcome#CANCELLED} whose message says
     * it was cancelled from outside.
     *
     * @return {@code true} if this call stopped the loop, {@code false} if it had already stopped
     */
    boolean cancel();
}
