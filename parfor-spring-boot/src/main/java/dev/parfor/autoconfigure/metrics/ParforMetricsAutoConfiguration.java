package dev.parfor.autoconfigure.metrics;

import dev.parfor.ParallelFor;
import dev.parfor.autoconfigure.ParforAutoConfiguration;
import dev.parfor.autoconfigure.ParforProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer for parfor. With an {@link ObservationRegistry} bean: the observation {@code parfor.loop}, current
 * inside loop bodies (and so their trace span, when tracing is present). With a {@link MeterRegistry} bean: the
 * counter {@code parfor.tasks}, the optional timer {@code parfor.task} ({@code parfor.metrics.task-timer.enabled}),
 * and gauges of loops, engines and pools. The listeners it defines join the {@code ParallelFor} bean.
 */
@AutoConfiguration(
        before = ParforAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
        })
public final class ParforMetricsAutoConfiguration {

    ParforMetricsAutoConfiguration() {}

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry.class)
    @ConditionalOnBean(ObservationRegistry.class)
    static class ObservationConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "parforObservationListener")
        ObservationLoopListener parforObservationListener(
                ObservationRegistry registry, ObjectProvider<ParforLoopObservationConvention> convention) {
            return new ObservationLoopListener(registry, convention.getIfAvailable());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    @ConditionalOnBean(MeterRegistry.class)
    static class MeterConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "parforTaskMetricsListener")
        TaskMetricsListener parforTaskMetricsListener(
                MeterRegistry registry, ObjectProvider<ParforProperties> properties) {
            ParforProperties configured = properties.getIfAvailable(ParforProperties::new);
            return new TaskMetricsListener(
                    registry, configured.getMetrics().getTaskTimer().isEnabled());
        }

        @Bean
        @ConditionalOnMissingBean(name = "parforMeterBinder")
        ParforMeterBinder parforMeterBinder(ObjectProvider<ParallelFor> parallelFor) {
            return new ParforMeterBinder(parallelFor);
        }
    }
}
