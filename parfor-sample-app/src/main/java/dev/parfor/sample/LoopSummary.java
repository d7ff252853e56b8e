package dev.parfor.sample;

import dev.parfor.Progress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What a response says about the loop that produced it: its id, the engine it really ran on (a property under
 * {@code parfor.loops} may have re-routed it), how many inputs ended and how long it took.
 *
 * @param id the loop run's id, as in {@code /actuator/parfor}
 * @param loop the loop's name
 * @param engine the engine's name
 * @param done inputs that ended
 * @param elapsedMillis the loop's wall time
 */
record LoopSummary(String id, String loop, String engine, long done, long elapsedMillis) {

    /** Collects the last progress snapshot of one loop; parfor sends one with {@code finished} set at the end. */
    static final class Recorder implements Consumer<Progress> {

        /** How often the loop reports while it runs; only the last report, at the end, makes the summary. */
        static final Duration INTERVAL = Duration.ofSeconds(1);

        private final AtomicReference<@Nullable Progress> last = new AtomicReference<>();

        @Override
        public void accept(Progress progress) {
            last.set(progress);
        }

        /** The summary of the finished loop. */
        LoopSummary summary() {
            Progress progress = last.get();
            if (progress == null) {
                throw new IllegalStateException("the loop reported no progress");
            }
            return new LoopSummary(
                    progress.info().id(),
                    progress.info().name(),
                    progress.info().engine(),
                    progress.done(),
                    progress.elapsed().toMillis());
        }
    }
}
