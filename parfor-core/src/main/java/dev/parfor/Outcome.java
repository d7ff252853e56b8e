package dev.parfor;

/**
 * How a loop or some of its tasks ended: the one vocabulary of {@link LoopListener} events, {@link
 * ParallelForException#outcome()} and the {@code outcome} tag of parfor's metrics.
 *
 * <table>
 *   <caption>Which outcomes each report uses</caption>
 *   <tr><th>outcome</th><th>a loop ({@link LoopListener#loopFinished}, {@link ParallelForException})</th>
 *       <th>tasks ({@link LoopListener#tasksEnded})</th></tr>
 *   <tr><td>{@link #SUCCESS}</td><td>every input produced a value</td><td>the body returned a value</td></tr>
 *   <tr><td>{@link #PARTIAL}</td><td>every input ran and at least one failed ({@link ErrorPolicy#COLLECT})</td>
 *       <td>never</td></tr>
 *   <tr><td>{@link #FAILURE}</td><td>a task failed and the loop stopped ({@link ErrorPolicy#FAIL_FAST}), or reading
 *       the inputs failed</td><td>the body threw and the task will not be tried again</td></tr>
 *   <tr><td>{@link #RETRY}</td><td>never</td><td>the body threw and the task is scheduled to run again</td></tr>
 *   <tr><td>{@link #TIMEOUT}</td><td>the loop ran longer than its timeout</td><td>the task ran longer than its task
 *       timeout</td></tr>
 *   <tr><td>{@link #CANCELLED}</td><td>the caller was interrupted, the result stream was closed early, the loop was
 *       cancelled, or the engine shut down</td><td>the task was stopped because the loop was cancelled, failed fast
 *       or timed out</td></tr>
 * </table>
 */
public enum Outcome {
    /** Every input of the loop, or the task, produced a value. */
    SUCCESS,
    /** Every input of the loop ran, and at least one failed (only with {@link ErrorPolicy#COLLECT}); never a task's. */
    PARTIAL,
    /** The loop stopped at a failure, or reading its inputs failed; the task threw and will not be tried again. */
    FAILURE,
    /** The task threw and is scheduled to run again; never a loop's. */
    RETRY,
    /** The loop ran longer than its timeout, or the task longer than its task timeout. */
    TIMEOUT,
    /** The loop was cancelled or its caller interrupted; the task was stopped because its loop stopped. */
    CANCELLED
}
