package dev.parfor;

/** How a whole loop ended. */
public enum LoopOutcome {
    /** Every input produced a value. */
    SUCCESS,
    /** Every input ran, and at least one failed (only with {@link ErrorPolicy#COLLECT}). */
    PARTIAL,
    /** A task failed and the loop stopped ({@link ErrorPolicy#FAIL_FAST}), or reading the inputs failed. */
    FAILURE,
    /** The loop ran longer than its timeout. */
    TIMEOUT,
    /** The caller was interrupted, the result stream was closed early, or the engine shut down. */
    CANCELLED
}
