package dev.parfor.benchmarks;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.LoopOutcome;
import dev.parfor.Progress;
import dev.parfor.TaskOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Records the starter's meters from loop events, the way the Spring Boot starter does: a counter {@code parfor.tasks}
 * tagged {@code engine}, {@code loop} and {@code outcome} incremented once per reported batch of tasks, a timer
 * {@code parfor.loop} and a long task timer {@code parfor.loop.active}. It looks meters up on every event, as a
 * listener without caches would, so the cost measured is an upper bound of the starter's.
 */
public final class TaskMetricsListener implements LoopListener {

    private final MeterRegistry registry;
    private final Map<String, LongTaskTimer.Sample> active = new ConcurrentHashMap<>();

    /**
     * Creates the listener.
     *
     * @param registry where the meters go
     */
    public TaskMetricsListener(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void loopStarted(LoopInfo loop) {
        LongTaskTimer timer = LongTaskTimer.builder("parfor.loop.active")
                .description("Loops running now")
                .tag("engine", loop.engine())
                .tag("loop", loop.name())
                .register(registry);
        active.put(loop.id(), timer.start());
    }

    @Override
    public void tasksEnded(LoopInfo loop, TaskOutcome outcome, int count, long nanos) {
        Counter.builder("parfor.tasks")
                .description("Tasks of parfor loops that ended, by outcome")
                .baseUnit("tasks")
                .tag("engine", loop.engine())
                .tag("loop", loop.name())
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment(count);
    }

    @Override
    public void loopFinished(LoopInfo loop, LoopOutcome outcome, @Nullable Throwable error, Progress progress) {
        LongTaskTimer.Sample sample = active.remove(loop.id());
        if (sample != null) {
            sample.stop();
        }
        Timer.builder("parfor.loop")
                .description("Duration of parfor loops")
                .tag("engine", loop.engine())
                .tag("loop", loop.name())
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .tag("exception", error == null ? "none" : error.getClass().getSimpleName())
                .register(registry)
                .record(progress.elapsed());
    }
}
