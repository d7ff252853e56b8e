package dev.parfor.autoconfigure.actuate;

import dev.parfor.ParallelFor;
import dev.parfor.autoconfigure.ParforLifecycle;
import dev.parfor.spi.Engine;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code parfor} health contributor: UP with the default engine and each engine's type, parallelism and load;
 * DOWN once parfor is shutting down and refuses new loops.
 */
final class ParforHealthIndicator extends AbstractHealthIndicator {

    private final ParallelFor parallelFor;
    private final @Nullable ParforLifecycle lifecycle;

    ParforHealthIndicator(ParallelFor parallelFor, @Nullable ParforLifecycle lifecycle) {
        super("parfor health check failed");
        this.parallelFor = parallelFor;
        this.lifecycle = lifecycle;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (parallelFor.isShutdown() || (lifecycle != null && !lifecycle.isRunning())) {
            builder.down().withDetail("reason", "parfor is shut down and accepts no loops");
        } else {
            builder.up();
        }
        Map<String, Object> engines = new LinkedHashMap<>();
        for (Map.Entry<String, Engine> entry : parallelFor.engines().entrySet()) {
            Engine engine = entry.getValue();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("type", engine.type());
            details.put("parallelism", engine.parallelism());
            details.put("active", engine.stats().map(s -> s.activeCount()).orElse(-1));
            details.put("queued", engine.stats().map(s -> s.queuedCount()).orElse(-1L));
            engines.put(entry.getKey(), details);
        }
        builder.withDetail("defaultEngine", ParforEndpoint.defaultEngine(parallelFor))
                .withDetail("runningLoops", parallelFor.running().size())
                .withDetail("engines", engines);
    }
}
