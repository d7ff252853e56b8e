package dev.parfor;

import org.jspecify.annotations.Nullable;

/**
 * Receives the events of every loop of a {@link ParallelFor}: the hook for metrics, tracing and dashboards. All
 * methods have empty defaults. {@link #loopStarted} and {@link #loopFinished} run on the thread that runs the loop
 * (the caller, or the thread consuming a result stream); task events run on worker threads and must be thread-safe
 * and quick. A listener that throws is logged and otherwise ignored.
 */
public interface LoopListener {

    /**
     * A loop is about to dispatch its first task. Called on the caller's thread before the caller's context is
     * captured for the tasks, so what a listener puts in scope here (a tracing span, an observation) is current inside
     * the loop's bodies.
     *
     * @param loop the loop
     */
    default void loopStarted(LoopInfo loop) {}

    /**
     * Tasks of a loop ended; reported in batches (one call per chunk and outcome) so that tiny bodies stay cheap. When
     * a loop stops early (fail-fast, timeout, cancel), a chunk that ends at the same moment may report just after
     * {@link #loopFinished}; chunks that end later do not report.
     *
     * @param loop the loop
     * @param outcome how the tasks ended: {@link Outcome#SUCCESS}, {@link Outcome#FAILURE}, {@link Outcome#RETRY},
     *     {@link Outcome#TIMEOUT} or {@link Outcome#CANCELLED}, never {@link Outcome#PARTIAL}
     * @param count how many tasks ended that way
     * @param nanos the time those tasks took together, in nanoseconds (0 when unknown)
     */
    default void tasksEnded(LoopInfo loop, Outcome outcome, int count, long nanos) {}

    /**
     * A loop ended.
     *
     * @param loop the loop
     * @param outcome how it ended: any {@link Outcome} but {@link Outcome#RETRY}
     * @param error the exception the caller receives, or {@code null} when the loop returned normally
     * @param progress the final counts
     */
    default void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {}
}
