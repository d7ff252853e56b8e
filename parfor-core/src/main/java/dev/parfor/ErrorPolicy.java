package dev.parfor;

/** What a loop does when a task fails after its retries. */
public enum ErrorPolicy {
    /**
     * The first failure stops dispatch, interrupts running tasks and throws a {@link ParallelForException} that
     * names the loop and the failed input; later failures are attached as suppressed exceptions. The default.
     */
    FAIL_FAST,
    /**
     * Every input runs. {@link Loop#run} returns each failure at its index in {@link LoopResult#failures()}; every
     * other terminal throws a {@link ParallelForException} with outcome {@link Outcome#PARTIAL} at the end,
     * carrying all failures.
     */
    COLLECT
}
