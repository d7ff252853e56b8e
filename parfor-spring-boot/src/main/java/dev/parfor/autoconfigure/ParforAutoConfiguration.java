package dev.parfor.autoconfigure;

import dev.parfor.ContextPropagator;
import dev.parfor.Loop;
import dev.parfor.LoopListener;
import dev.parfor.ParallelFor;
import dev.parfor.Progress;
import dev.parfor.autoconfigure.ParforProperties.EngineProperties;
import dev.parfor.autoconfigure.ParforProperties.LoopProperties;
import dev.parfor.spi.Engine;
import io.micrometer.context.ContextSnapshotFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.event.Level;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of parfor: the built-in engines ({@code sequential}, {@code fork-join}, {@code virtual}) and
 * each engine under {@code parfor.engines}, and the {@link ParallelFor} bean over them and over every {@link Engine}
 * bean of the context (under its bean name, or the rest of a bean name that starts with {@code parfor.engines.}).
 *
 * <p>The engines parfor creates are not beans, so no application bean can clash with one. No engine is published as
 * an {@code Executor} or {@code TaskDecorator}: Spring Boot's {@code applicationTaskExecutor} stays as it is.
 * {@link ParforProperties} is bound and checked once.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration",
            "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"
        })
@EnableConfigurationProperties(ParforProperties.class)
public final class ParforAutoConfiguration {

    /** The name of the bean that holds and closes the engines parfor creates. */
    static final String ENGINES_BEAN = "parforEngines";

    ParforAutoConfiguration() {}

    @Bean
    static ParforBindHandlerAdvisor parforBindHandlerAdvisor() {
        return new ParforBindHandlerAdvisor();
    }

    @Bean(name = ENGINES_BEAN, destroyMethod = "close")
    ParforEngines parforEngines(
            ParforProperties properties, ConfigurableListableBeanFactory beans, Environment environment) {
        Map<String, String> beanEngines = new LinkedHashMap<>();
        for (String bean : beans.getBeanNamesForType(Engine.class, true, false)) {
            beanEngines.put(ParforEngines.engineName(bean), bean);
        }
        return ParforEngines.create(properties, beanEngines, beans, WrittenProperties.of(environment));
    }

    @Bean
    ConfiguredLoops parforConfiguredLoops(ParforProperties properties) {
        return new ConfiguredLoops(properties.getLoops().keySet());
    }

    @Bean
    @ConditionalOnMissingBean
    ParallelFor parallelFor(
            ParforProperties properties,
            ParforEngines parforEngines,
            ConfiguredLoops configuredLoops,
            ConfigurableListableBeanFactory beans,
            Environment environment,
            ObjectProvider<LoopListener> listeners,
            ObjectProvider<ContextPropagator> propagators,
            ObjectProvider<ParallelForBuilderCustomizer> customizers) {
        Map<String, Engine> engines = engines(parforEngines, beans);
        ParforChecks.checkNames(properties, engines.keySet(), WrittenProperties.of(environment), beans);
        // The first engine registered is the default.
        Map<String, Engine> defaultFirst = new LinkedHashMap<>();
        defaultFirst.put(properties.getEngine(), engines.get(properties.getEngine()));
        defaultFirst.putAll(engines);
        engines = defaultFirst;
        ParallelFor.Builder builder = ParallelFor.builder().ownsEngines(false);
        Level progress = LoggingListeners.level(properties.getProgress().getLogLevel());
        @Nullable Consumer<Progress> progressLog = progress != null ? LoggingListeners.progress(progress) : null;
        engines.forEach((name, engine) -> builder.engine(name, engine, engineDefaults(properties, name, progressLog)));
        properties
                .getLimits()
                .forEach((name, limit) -> builder.limit(
                        name,
                        limit.getMaxConcurrency() != null ? limit.getMaxConcurrency() : 0,
                        limit.getRate() != null ? limit.getRate() : 0,
                        burst(limit)));
        properties.getLoops().forEach((name, loop) -> builder.loop(name, defaults -> loopDefaults(loop, defaults)));
        Level summary = LoggingListeners.level(properties.getProgress().getSummaryLogLevel());
        if (summary != null) {
            builder.listener(new LoggingListeners.Summary(
                    summary, properties.getProgress().getInterval()));
        }
        if (!properties.getLoops().isEmpty()) {
            builder.listener(configuredLoops.listener());
        }
        listeners.orderedStream().forEach(builder::listener);
        propagators.orderedStream().forEach(builder::contextPropagator);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    /** parfor's engines, each replaced by an Engine bean of its name, then the other Engine beans. */
    private static Map<String, Engine> engines(ParforEngines created, ConfigurableListableBeanFactory beans) {
        Map<String, Engine> fromBeans = new LinkedHashMap<>();
        Map<String, String> beanNames = new LinkedHashMap<>();
        for (Map.Entry<String, Engine> entry :
                beans.getBeansOfType(Engine.class).entrySet()) {
            String name = ParforEngines.engineName(entry.getKey());
            String other = beanNames.putIfAbsent(name, entry.getKey());
            if (other != null) {
                throw new IllegalStateException("The Engine beans '" + other + "' and '" + entry.getKey()
                        + "' both provide the parfor engine '" + name + "'; rename one of them.");
            }
            fromBeans.put(name, entry.getValue());
        }
        Map<String, Engine> engines = new LinkedHashMap<>();
        for (String name : ParforEngines.BUILT_IN) {
            Engine engine = fromBeans.containsKey(name)
                    ? fromBeans.get(name)
                    : created.engines().get(name);
            if (engine != null) {
                engines.put(name, engine);
            }
        }
        created.engines().forEach(engines::putIfAbsent);
        fromBeans.forEach(engines::putIfAbsent);
        return engines;
    }

    @Bean
    @ConditionalOnMissingBean
    ParforLifecycle parforLifecycle(
            ParallelFor parallelFor, ParforProperties properties, ObjectProvider<ConfiguredLoops> configuredLoops) {
        return new ParforLifecycle(
                parallelFor, properties.getShutdown().getAwaitTerminationPeriod(), configuredLoops.getIfAvailable());
    }

    /**
     * What {@code parfor.engines.<name>} sets for the loops on that engine, and the progress log of {@code
     * parfor.progress} for every loop that sets no progress listener of its own.
     */
    private static Consumer<Loop> engineDefaults(
            ParforProperties properties, String engine, @Nullable Consumer<Progress> progressLog) {
        EngineProperties configured = properties.getEngines().get(engine);
        Duration interval = properties.getProgress().getInterval();
        return defaults -> {
            if (progressLog != null) {
                defaults.progress(progressLog, interval);
            }
            if (configured != null && configured.getChunkSize() != null) {
                defaults.chunkSize(configured.getChunkSize());
            }
        };
    }

    /** The longest pause parfor schedules, standing for "no cap" when only the multiplier or the jitter is set. */
    private static final Duration NO_CAP = Duration.ofDays(36_500);

    static int burst(ParforProperties.LimitProperties limit) {
        if (limit.getBurst() != null) {
            return limit.getBurst();
        }
        return limit.getRate() != null ? (int) Math.max(1, Math.ceil(limit.getRate())) : 1;
    }

    /** Sets what {@code parfor.loops.<name>} configures on the loop that records that name's defaults. */
    private static void loopDefaults(LoopProperties loop, Loop defaults) {
        if (loop.getEngine() != null) {
            defaults.engine(loop.getEngine());
        }
        if (loop.getParallelism() != null) {
            defaults.parallelism(loop.getParallelism());
        }
        if (loop.getChunkSize() != null) {
            defaults.chunkSize(loop.getChunkSize());
        }
        if (loop.getOnError() != null) {
            defaults.onError(loop.getOnError());
        }
        if (loop.getRetries() != null) {
            defaults.retries(loop.getRetries(), loop.getBackoff() != null ? loop.getBackoff() : Duration.ZERO);
        }
        if (loop.getBackoffMultiplier() != null || loop.getMaxBackoff() != null || loop.getJitter() != null) {
            defaults.backoff(
                    loop.getBackoffMultiplier() != null ? loop.getBackoffMultiplier() : 2.0,
                    loop.getMaxBackoff() != null ? loop.getMaxBackoff() : NO_CAP,
                    loop.getJitter() != null ? loop.getJitter() : 0.0);
        }
        if (loop.getLimit() != null) {
            defaults.limit(loop.getLimit());
        }
        if (loop.getTimeout() != null) {
            defaults.timeout(loop.getTimeout());
        }
        if (loop.getTaskTimeout() != null) {
            defaults.taskTimeout(loop.getTaskTimeout());
        }
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
