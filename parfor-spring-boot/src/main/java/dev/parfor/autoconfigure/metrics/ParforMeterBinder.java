package dev.parfor.autoconfigure.metrics;

import dev.parfor.ParallelFor;
import dev.parfor.spi.Engine;
import dev.parfor.spi.EngineStats;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Gauges of parfor: {@code parfor.loops.running} (loops in flight), {@code parfor.engine.active} and
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
}
