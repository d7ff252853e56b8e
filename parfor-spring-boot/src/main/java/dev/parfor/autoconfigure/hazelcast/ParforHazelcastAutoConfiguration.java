package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.parfor.autoconfigure.ParforProperties;
import dev.parfor.hazelcast.HazelcastEngine;
import dev.parfor.hazelcast.ParforHazelcast;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.hazelcast.autoconfigure.HazelcastConfigCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of parfor's Hazelcast engine.
 *
 * <ul>
 *   <li>With {@code parfor.hazelcast.embedded.enabled=true} and no {@link HazelcastInstance} (Spring Boot creates
 *       one, member or client, from a {@code hazelcast.yaml}, {@code hazelcast-client.yaml},
 *       {@code spring.hazelcast.config} or a {@code Config} bean), it starts an embedded member with
 *       {@link ParforHazelcast#secureConfig} (or {@link ParforHazelcast#kubernetesConfig}) and
 *       {@code parfor.hazelcast.embedded.*}; the cluster name defaults to {@code spring.application.name}. The
 *       application's own package is on the member's deserialization allow-list, with
 *       {@code parfor.hazelcast.allowed-packages}.
 *   <li>Hazelcast's JVM shutdown hook is off on the embedded member and on a member Spring Boot starts (unless its
 *       configuration sets {@code hazelcast.shutdownhook.enabled}), so that parfor's graceful shutdown lets running
 *       cluster loops finish before the member stops.
 *   <li>On the application's one Hazelcast instance, it registers a {@link HazelcastEngine} bean named
 *       {@code hazelcast}, and one for every other engine configured with {@code parfor.engines.<name>.type=hazelcast},
 *       from {@code parfor.engines.<name>.executor-name}, {@code .pool-size} and {@code .max-attempts}; parfor's main
 *       auto-configuration makes each an engine of that name. A bean of the same name defined by the application
 *       wins.
 * </ul>
 */
@AutoConfiguration(
        afterName = "org.springframework.boot.hazelcast.autoconfigure.HazelcastAutoConfiguration",
        beforeName = {
            "dev.parfor.autoconfigure.ParforAutoConfiguration",
            // So that Spring Boot's Hazelcast health contributor also covers the embedded member.
            "org.springframework.boot.hazelcast.autoconfigure.health.HazelcastHealthContributorAutoConfiguration"
        })
@ConditionalOnClass({HazelcastInstance.class, HazelcastEngine.class})
@EnableConfigurationProperties(ParforProperties.class)
// Imported in this order, and not nested: the engines' condition must see the member the first one may define.
@Import({EmbeddedMemberConfiguration.class, EngineConfiguration.class})
public final class ParforHazelcastAutoConfiguration {

    /** The name of the engine registered on the application's Hazelcast instance. */
    public static final String ENGINE_NAME = "hazelcast";

    ParforHazelcastAutoConfiguration() {}

    /** The straggler re-runs of every Hazelcast engine, when Micrometer is on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "parforHazelcastStragglerMeterBinder")
        StragglerMeterBinder parforHazelcastStragglerMeterBinder(ListableBeanFactory beans) {
            return new StragglerMeterBinder(beans);
        }
    }

    /** For a member Spring Boot starts from the application's Hazelcast configuration. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HazelcastConfigCustomizer.class)
    static class ShutdownHookConfiguration {
        @Bean
        HazelcastConfigCustomizer parforHazelcastShutdownHookCustomizer() {
            return new ShutdownHookCustomizer();
        }
    }
}
