package dev.parfor.autoconfigure.metrics;

import dev.parfor.LoopInfo;
import dev.parfor.Outcome;
import dev.parfor.Progress;
import io.micrometer.observation.Observation;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The context of the observation {@code parfor.loop}: the loop, and once it finished its outcome and final progress.
 * Not thread-safe; written by the loop's caller.
 */
public final class ParforLoopObservationContext extends Observation.Context {

    private final LoopInfo loop;
    private @Nullable Outcome outcome;
    private @Nullable Progress progress;

    /**
     * Creates the context of one loop.
     *
     * @param loop the loop
     */
    public ParforLoopObservationContext(LoopInfo loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    /**
     * The loop.
     *
     * @return the loop
     */
    public LoopInfo getLoop() {
        return loop;
    }

    /**
     * How the loop ended.
     *
     * @return the outcome, or null while the loop runs
     */
    public @Nullable Outcome getOutcome() {
        return outcome;
    }

    /**
     * Sets how the loop ended.
     *
     * @param outcome the outcome
     */
    public void setOutcome(@Nullable Outcome outcome) {
        this.outcome = outcome;
    }

    /**
     * The loop's final progress.
     *
     * @return the progress, or null while the loop runs
     */
    public @Nullable Progress getProgress() {
        return progress;
    }

    /**
     * Sets the loop's final progress.
     *
     * @param progress the progress
     */
    public void setProgress(@Nullable Progress progress) {
        this.progress = progress;
    }
}
