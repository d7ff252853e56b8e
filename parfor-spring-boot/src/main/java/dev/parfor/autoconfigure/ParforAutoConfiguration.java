package dev.parfor.autoconfigure;

import dev.parfor.ContextPropagator;
import dev.parfor.LoopListener;
import dev.parfor.LoopOptions;
import dev.parfor.ParallelFor;
import dev.parfor.autoconfigure.ParforProperties.EngineProperties;
import dev.parfor.autoconfigure.ParforProperties.LoopProperties;
import dev.parfor.spi.Engine;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.Map;
import org.slf4j.event.Level;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of parfor: an {@link Engine} bean for each built-in engine ({@code sequential},
 * {@code fork-join}, {@code virtual}) and each engine under {@code parfor.engines}, and the {@link ParallelFor} bean
 * over every {@code Engine} bean of the context, each under its bean name.
 *
 * <p>No engine is published as an {@code Executor} or {@code TaskDecorator}: Spring Boot's
 * {@code applicationTaskExecutor} stays as it is. Every bean here backs off when the application defines its own.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration",
            "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"
        })
@EnableConfigurationProperties(ParforProperties.class)
@Import(ParforEngineRegistrar.class)
public final class ParforAutoConfiguration {

    ParforAutoConfiguration() {}

    @Bean
    @ConditionalOnMissingBean
    ParallelFor parallelFor(
            ParforProperties properties,
            Map<String, Engine> engines,
            ObjectProvider<LoopListener> listeners,
            ObjectProvider<ContextPropagator> propagators) {
        ParforChecks.checkNames(properties, engines.keySet());
        ParallelFor.Builder builder = ParallelFor.builder().ownsEngines(false);
        engines.forEach((name, engine) -> builder.engine(name, engine, engineDefaults(properties, name)));
        builder.defaultEngine(properties.getEngine());
        properties.getLoops().forEach((name, loop) -> builder.loopOptions(name, loopOptions(loop)));
        Level progress = LoggingListeners.level(properties.getProgress().getLogLevel());
        if (progress != null) {
            builder.progress(
                    LoggingListeners.progress(progress),
                    properties.getProgress().getInterval());
        }
        Level summary = LoggingListeners.level(properties.getProgress().getSummaryLogLevel());
        if (summary != null) {
            builder.listener(new LoggingListeners.Summary(summary));
        }
        listeners.orderedStream().forEach(builder::listener);
        propagators.orderedStream().forEach(builder::contextPropagator);
        return builder.build();
    }

    @Bean
    @ConditionalOnMissingBean
    ParforLifecycle parforLifecycle(ParallelFor parallelFor, ParforProperties properties) {
        return new ParforLifecycle(parallelFor, properties.getShutdown().getAwaitTerminationPeriod());
    }

    private static LoopOptions engineDefaults(ParforProperties properties, String engine) {
        EngineProperties configured = properties.getEngines().get(engine);
        LoopOptions options = LoopOptions.none();
        if (configured != null && configured.getChunkSize() != null) {
            options = options.chunkSize(configured.getChunkSize());
        }
        return options;
    }

    static LoopOptions loopOptions(LoopProperties loop) {
        LoopOptions options = LoopOptions.none();
        if (loop.getEngine() != null) {
            options = options.engine(loop.getEngine());
        }
        if (loop.getParallelism() != null) {
            options = options.parallelism(loop.getParallelism());
        }
        if (loop.getChunkSize() != null) {
            options = options.chunkSize(loop.getChunkSize());
        }
        if (loop.getOnError() != null) {
            options = options.onError(loop.getOnError());
        }
        if (loop.getRetries() != null) {
            options = options.retries(
                    loop.getRetries(), loop.getBackoff() != null ? loop.getBackoff() : java.time.Duration.ZERO);
        }
        if (loop.getTimeout() != null) {
            options = options.timeout(loop.getTimeout());
        }
        if (loop.getTaskTimeout() != null) {
            options = options.taskTimeout(loop.getTaskTimeout());
        }
        return options;
    }

    /** Carries what Micrometer's context-propagation library knows into loop bodies on local engines. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ContextSnapshotFactory.class)
    static class ContextPropagationConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "parforContextPropagator")
        ContextPropagator parforContextPropagator() {
            return new ContextSnapshotPropagator(
                    ContextSnapshotFactory.builder().build());
        }
    }
}
