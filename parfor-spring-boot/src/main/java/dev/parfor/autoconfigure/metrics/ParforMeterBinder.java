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
 * tag {@code engine}) for the pools parfor owns.
 */
final class ParforMeterBinder implements MeterBinder {

    private final ObjectProvider<ParallelFor> parallelFor;

    ParforMeterBinder(ObjectProvider<ParallelFor> parallelFor) {
        this.parallelFor = parallelFor;
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
