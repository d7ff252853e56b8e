package dev.parfor;

/** How one attempt of a task ended, as reported to {@link LoopListener}s. */
public enum TaskOutcome {
    /** The body returned a value. */
    SUCCESS,
    /** The body threw and the task will not be tried again. */
    FAILURE,
    /** The body threw and the task is scheduled to run again. */
    RETRY,
    /** The task ran longer than its task timeout. */
    TIMEOUT,
    /** The task was stopped because the loop was cancelled, failed fast or timed out. */
    CANCELLED
}
