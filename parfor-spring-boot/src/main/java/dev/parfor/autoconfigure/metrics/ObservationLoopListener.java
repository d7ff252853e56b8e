package dev.parfor.autoconfigure.metrics;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.Outcome;
import dev.parfor.Progress;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Opens the observation {@code parfor.loop} when a loop starts, on the caller's thread and in scope there, and stops
 * it when the loop finishes. parfor announces a loop before it captures the caller's context for the tasks, so the
 * context-propagation snapshot carries this observation into the loop's bodies on worker threads.
 */
final class ObservationLoopListener implements LoopListener {

    private final ObservationRegistry registry;
    private final @Nullable ParforLoopObservationConvention convention;
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    ObservationLoopListener(ObservationRegistry registry, @Nullable ParforLoopObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
    }

    private record Running(
            Observation observation, ParforLoopObservationContext context, Observation.Scope scope, Thread thread) {}

    @Override
    public void loopStarted(LoopInfo loop) {
        ParforLoopObservationContext context = new ParforLoopObservationContext(loop);
        Observation observation = Observation.createNotStarted(
                        convention, DefaultConvention.INSTANCE, () -> context, registry)
                .start();
        running.put(loop.id(), new Running(observation, context, observation.openScope(), Thread.currentThread()));
    }

    @Override
    public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
        Running run = running.remove(loop.id());
        if (run == null) {
            return;
        }
        run.context.setOutcome(outcome);
        run.context.setProgress(progress);
        if (error != null) {
            run.observation.error(error);
        }
        // A scope belongs to the thread that opened it; a loop ended from elsewhere (a stream closed by another
        // thread) leaves the caller's scope to that thread.
        if (Thread.currentThread() == run.thread) {
            run.scope.close();
        }
        run.observation.stop();
    }

    @Override
    public String toString() {
        return "parfor.loop observation";
    }

    private static final class DefaultConvention {
        static final DefaultParforLoopObservationConvention INSTANCE = new DefaultParforLoopObservationConvention();
    }
}
