package dev.parfor;

/** What a loop does when a task fails after its retries. */
public enum ErrorPolicy {
    /**
     * The first failure stops dispatch, interrupts running tasks and throws a {@link ParallelForException} that
     * names the loop and the failed input; later failures are attached as suppressed exceptions. The default.
     */
    FAIL_FAST,
    /**
     * Every input runs; each failure is reported at its index in {@link LoopResult#failures()}, and
     * {@link Loop#map} fills failed slots with the {@link Loop#fallback fallback}.
     */
    COLLECT
}
