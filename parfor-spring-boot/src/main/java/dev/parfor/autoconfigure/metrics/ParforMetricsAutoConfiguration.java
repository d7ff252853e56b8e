package dev.parfor.autoconfigure.metrics;

import dev.parfor.LoopListener;
import dev.parfor.ParallelFor;
import dev.parfor.autoconfigure.ParforAutoConfiguration;
import dev.parfor.autoconfigure.ParforProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationPredicate;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer for parfor. The observation {@code parfor.loop} when something besides metrics would see it (tracing,
 * another observation handler, an application's {@link ParforLoopObservationConvention}): then it is current inside
 * loop bodies, and so is its trace span. Otherwise, with a {@link MeterRegistry}, the same meters recorded directly
 * (the timer {@code parfor.loop} and the long task timer {@code parfor.loop.active}), which costs a fraction of an
 * observation per loop. With a {@link MeterRegistry} also: the counter {@code parfor.tasks}, the optional timer
 * {@code parfor.task} ({@code parfor.metrics.task-timer.enabled}), and gauges of loops, engines and pools. The
 * listeners it defines join the {@code ParallelFor} bean.
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

    /** No meter registry: the observation is all there is, for its handlers (tracing, say). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry.class)
    @ConditionalOnBean(ObservationRegistry.class)
    @ConditionalOnMissingBean(type = "io.micrometer.core.instrument.MeterRegistry")
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

        /**
         * The loop's observation when anything but a meter handler would see it, else its meters directly.
         *
         * @param handlers the observation handler beans (Spring Boot registers its handlers as beans)
         * @param predicates the observation predicate beans, such as those of {@code management.observations.enable}
         */
        @Bean
        @ConditionalOnMissingBean(name = "parforLoopMetricsListener")
        LoopListener parforLoopMetricsListener(
                MeterRegistry meters,
                ObjectProvider<ObservationRegistry> observations,
                ObjectProvider<ParforLoopObservationConvention> convention,
                ObjectProvider<ObservationHandler<?>> handlers,
                ObjectProvider<ObservationPredicate> predicates) {
            ObservationRegistry registry = observations.getIfAvailable();
            ParforLoopObservationConvention custom = convention.getIfAvailable();
            // An application that turns the observation off (management.observations.enable.parfor.loop=false)
            // gets what the observation does then: nothing.
            boolean observed = registry != null
                    && !registry.isNoop()
                    && (custom != null
                            || handlers.stream().anyMatch(handler -> !(handler instanceof MeterObservationHandler))
                            || predicates.stream()
                                    .anyMatch(predicate -> !predicate.test(
                                            DefaultParforLoopObservationConvention.NAME, new Observation.Context())));
            return observed ? new ObservationLoopListener(registry, custom) : new MeterLoopListener(meters);
        }

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
        ParforMeterBinder parforMeterBinder(
                ObjectProvider<ParallelFor> parallelFor, ObjectProvider<ParforLoopObservationConvention> convention) {
            return new ParforMeterBinder(parallelFor, convention.getIfAvailable() == null);
        }
    }
}
