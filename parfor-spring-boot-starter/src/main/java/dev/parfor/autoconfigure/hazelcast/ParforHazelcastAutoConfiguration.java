package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.parfor.hazelcast.HazelcastEngine;
import dev.parfor.hazelcast.ParforHazelcast;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of parfor's Hazelcast engine. When the application has no {@link HazelcastInstance} (Spring
 * Boot creates one from a {@code hazelcast.yaml}, {@code spring.hazelcast.config} or a {@code Config} bean), it
 * starts an embedded member with {@link ParforHazelcast#secureConfig} ({@code parfor.hazelcast.embedded.*}). On
 * whichever instance there is, it registers the {@code hazelcast} {@link HazelcastEngine} bean
 * ({@code parfor.engines.hazelcast.*}), which parfor's main auto-configuration turns into the engine of that name.
 */
@AutoConfiguration(
        afterName = "org.springframework.boot.hazelcast.autoconfigure.HazelcastAutoConfiguration",
        beforeName = "dev.parfor.autoconfigure.ParforAutoConfiguration")
@ConditionalOnClass({HazelcastInstance.class, HazelcastEngine.class})
@EnableConfigurationProperties(ParforHazelcastProperties.class)
// Imported in this order, and not nested: the engine's condition must see the member the first one may define.
@Import({EmbeddedMemberConfiguration.class, EngineConfiguration.class})
public final class ParforHazelcastAutoConfiguration {

    /** The bean name of the engine, and so the engine's name in parfor. */
    public static final String ENGINE_NAME = "hazelcast";
}
