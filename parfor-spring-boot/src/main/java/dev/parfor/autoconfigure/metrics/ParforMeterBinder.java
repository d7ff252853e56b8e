package dev.parfor.autoconfigure.metrics;

import dev.parfor.LimitStats;
import dev.parfor.ParallelFor;
import dev.parfor.spi.Engine;
import dev.parfor.spi.EngineStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Gauges of parfor: {@code parfor.loops.running} (loops in flight), {@code parfor.limit.*} per shared limit (in use,
 * waiting, acquired, rejected, wait time), {@code parfor.engine.active} and
 * {@code parfor.engine.queued} per engine, and Micrometer's {@code ExecutorServiceMetrics} (prefix {@code parfor},
 * tag {@code engine}) for the pools parfor owns; and, with the default loop convention, a zero {@code parfor.loop}
 * timer per engine with loop, outcome, exception and error {@code none}, so that the loop timer exists before the
 * first loop ran.
 */
final class ParforMeterBinder implements MeterBinder {

    private static final String NONE = "none";

    private final ObjectProvider<ParallelFor> parallelFor;
    private final boolean defaultConvention;

    /**
     * @param defaultConvention whether the loop timer has the default convention's tags, so that a zero series per
     *     engine can be made with the same tag keys as the real ones (registries such as Prometheus refuse a name
     *     whose meters differ in their tag keys)
     */
    ParforMeterBinder(ObjectProvider<ParallelFor> parallelFor, boolean defaultConvention) {
        this.parallelFor = parallelFor;
        this.defaultConvention = defaultConvention;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ParallelFor parfor = parallelFor.getIfAvailable();
        if (parfor == null) {
            return;
        }
        parfor.limits().forEach((name, limit) -> bindLimit(registry, name, limit));
        Gauge.builder("parfor.loops.running", parfor, p -> p.running().size())
                .description("Number of parfor loops running now")
                .baseUnit("loops")
                .register(registry);
        for (Map.Entry<String, Engine> entry : parfor.engines().entrySet()) {
            String name = entry.getKey();
            Engine engine = entry.getValue();
            if (defaultConvention) {
                // So that /actuator/metrics/parfor.loop answers before the first loop ran: a zero series per
                // engine, loop "none", with the tag keys of the real ones.
                registry.timer(
                        DefaultParforLoopObservationConvention.NAME,
                        MeterLoopListener.tags(name, NONE, NONE, NONE, NONE));
            }
            Tags tags = Tags.of("engine", name, "type", engine.type());
            EngineStats stats = engine.stats().orElse(null);
            if (stats != null && stats.activeCount() >= 0) {
                Gauge.builder("parfor.engine.active", stats, EngineStats::activeCount)
                        .description("Number of tasks an engine is running now")
                        .baseUnit("tasks")
                        .tags(tags)
                        .register(registry);
            }
            if (stats != null && stats.queuedCount() >= 0) {
                Gauge.builder("parfor.engine.queued", stats, EngineStats::queuedCount)
                        .description("Number of tasks waiting in an engine's queue")
                        .baseUnit("tasks")
                        .tags(tags)
                        .register(registry);
            }
            // An executor engine runs on the application's own executor, which its owner measures already.
            if (!"executor".equals(engine.type())) {
                ExecutorService pool =
                        stats == null ? null : stats.executorService().orElse(null);
                if (pool != null) {
                    new ExecutorServiceMetrics(pool, name, "parfor", Tags.of("engine", name)).bindTo(registry);
                }
            }
        }
    }

    /** The use of one shared limit: permits held and waited for, handed out, given up, and the time spent waiting. */
    private static void bindLimit(MeterRegistry registry, String name, LimitStats limit) {
        Tags tags = Tags.of("limit", name);
        Gauge.builder("parfor.limit.in.use", limit, LimitStats::inUse)
                .description("Number of tasks holding a permit of a shared limit")
                .baseUnit("tasks")
                .tags(tags)
                .register(registry);
        Gauge.builder("parfor.limit.waiting", limit, LimitStats::waiting)
                .description("Number of tasks waiting for a permit of a shared limit")
                .baseUnit("tasks")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("parfor.limit.acquired", limit, LimitStats::acquired)
                .description("Permits of a shared limit handed out")
                .baseUnit("permits")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("parfor.limit.rejected", limit, LimitStats::rejected)
                .description("Tasks that stopped waiting for a permit of a shared limit without one")
                .baseUnit("tasks")
                .tags(tags)
                .register(registry);
        FunctionTimer.builder(
                        "parfor.limit.wait", limit, LimitStats::acquired, LimitStats::waitNanos, TimeUnit.NANOSECONDS)
                .description("Time tasks spent waiting for permits of a shared limit")
                .tags(tags)
                .register(registry);
    }
}
