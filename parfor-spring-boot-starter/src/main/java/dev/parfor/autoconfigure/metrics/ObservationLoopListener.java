package dev.parfor.autoconfigure.metrics;

import dev.parfor.ContextPropagator;
import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.LoopOutcome;
import dev.parfor.Progress;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;

/**
 * Opens the observation {@code parfor.loop} when a loop starts, on the caller's thread and in scope there, and stops
 * it when the loop finishes; makes it the current observation inside the loop's tasks on worker threads too.
 *
 * <p>parfor captures the caller's context before it announces the loop, so the observation does not exist yet at
 * capture time. The capture therefore leaves a hand-off on the caller's thread, which {@link #loopStarted} (the next
 * call on that thread for that loop) fills with the new observation; the workers open its scope when they run a task.
 */
final class ObservationLoopListener implements LoopListener, ContextPropagator, Ordered {

    private static final ContextPropagator.Scope NOTHING = () -> {};

    private final ObservationRegistry registry;
    private final @Nullable ParforLoopObservationConvention convention;
    private final ThreadLocal<Handoff> pending = new ThreadLocal<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    ObservationLoopListener(ObservationRegistry registry, @Nullable ParforLoopObservationConvention convention) {
        this.registry = registry;
        this.convention = convention;
    }

    private static final class Handoff {
        volatile @Nullable Observation observation;
    }

    private record Running(
            Observation observation, ParforLoopObservationContext context, Observation.Scope scope, Thread thread) {}

    @Override
    public Captured capture() {
        Handoff handoff = new Handoff();
        pending.set(handoff);
        return () -> {
            Observation observation = handoff.observation;
            if (observation == null) {
                return NOTHING;
            }
            Observation.Scope scope = observation.openScope();
            return scope::close;
        };
    }

    @Override
    public void loopStarted(LoopInfo loop) {
        ParforLoopObservationContext context = new ParforLoopObservationContext(loop);
        Observation observation = Observation.createNotStarted(
                        convention, DefaultConvention.INSTANCE, () -> context, registry)
                .start();
        Handoff handoff = pending.get();
        pending.remove();
        if (handoff != null) {
            handoff.observation = observation;
        }
        running.put(loop.id(), new Running(observation, context, observation.openScope(), Thread.currentThread()));
    }

    @Override
    public void loopFinished(LoopInfo loop, LoopOutcome outcome, @Nullable Throwable error, Progress progress) {
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

    /** Last, so that the loop's observation is installed on top of the caller's (see ContextSnapshotPropagator). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 100;
    }

    @Override
    public String toString() {
        return "parfor.loop observation";
    }

    private static final class DefaultConvention {
        static final DefaultParforLoopObservationConvention INSTANCE = new DefaultParforLoopObservationConvention();
    }
}
