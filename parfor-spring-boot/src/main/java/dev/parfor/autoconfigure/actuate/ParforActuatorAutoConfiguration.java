package dev.parfor.autoconfigure.actuate;

import dev.parfor.ParallelFor;
import dev.parfor.autoconfigure.ParforAutoConfiguration;
import dev.parfor.autoconfigure.ParforLifecycle;
import dev.parfor.autoconfigure.ParforProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Actuator support for parfor: the endpoint {@code parfor} and the {@code parfor} health contributor. The recent-loops
 * listener it defines joins the {@code ParallelFor} bean.
 */
@AutoConfiguration(after = ParforAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
public final class ParforActuatorAutoConfiguration {

    ParforActuatorAutoConfiguration() {}

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
    @ConditionalOnAvailableEndpoint(ParforEndpoint.class)
    static class EndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RecentLoops parforRecentLoops() {
            return new RecentLoops();
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(ParallelFor.class)
        ParforEndpoint parforEndpoint(
                ParallelFor parallelFor, RecentLoops recent, ObjectProvider<ParforProperties> properties) {
            return new ParforEndpoint(parallelFor, recent, properties.getIfAvailable(ParforProperties::new));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnEnabledHealthIndicator("parfor")
    static class HealthConfiguration {

        @Bean
        @ConditionalOnMissingBean(name = "parforHealthIndicator")
        @ConditionalOnBean(ParallelFor.class)
        HealthIndicator parforHealthIndicator(ParallelFor parallelFor, ObjectProvider<ParforLifecycle> lifecycle) {
            return new ParforHealthIndicator(parallelFor, lifecycle.getIfAvailable());
        }
    }
}
