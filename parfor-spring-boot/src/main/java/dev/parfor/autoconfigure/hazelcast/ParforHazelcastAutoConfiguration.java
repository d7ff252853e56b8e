package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.parfor.autoconfigure.ParforProperties;
import dev.parfor.hazelcast.HazelcastEngine;
import dev.parfor.hazelcast.ParforHazelcast;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of parfor's Hazelcast engine.
 *
 * <ul>
 *   <li>When the application has no {@link HazelcastInstance} (Spring Boot creates one from a {@code hazelcast.yaml},
 *       {@code spring.hazelcast.config} or a {@code Config} bean), it starts an embedded member with
 *       {@link ParforHazelcast#secureConfig} and {@code parfor.hazelcast.embedded.*}, unless
 *       {@code parfor.hazelcast.embedded.enabled=false}. The application's own package is on the member's
 *       deserialization allow-list, with {@code parfor.hazelcast.allowed-packages}.
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
}
