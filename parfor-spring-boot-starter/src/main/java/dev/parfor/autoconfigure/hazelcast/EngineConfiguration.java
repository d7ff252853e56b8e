package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.parfor.hazelcast.HazelcastEngine;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** The {@code hazelcast} engine, on the application's one Hazelcast instance. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSingleCandidate(HazelcastInstance.class)
class EngineConfiguration {

    private static final String ENGINE_NAME = ParforHazelcastAutoConfiguration.ENGINE_NAME;
    private static final String ENGINE_PREFIX = "parfor.engines." + ENGINE_NAME;

    @Bean(name = ENGINE_NAME)
    @ConditionalOnMissingBean(name = ENGINE_NAME)
    HazelcastEngine hazelcast(HazelcastInstance instance, Environment environment) {
        Binder binder = Binder.get(environment);
        HazelcastEngine.Builder builder = HazelcastEngine.builder(instance);
        binder.bind(ENGINE_PREFIX + ".executor-name", String.class).ifBound(name -> {
            if (name.isBlank()) {
                throw new IllegalArgumentException("'" + ENGINE_PREFIX + ".executor-name' must not be blank");
            }
            builder.executorName(name);
        });
        binder.bind(ENGINE_PREFIX + ".pool-size", Integer.class)
                .ifBound(size -> builder.poolSize(atLeastOne(size, ENGINE_PREFIX + ".pool-size")));
        binder.bind(ENGINE_PREFIX + ".max-attempts", Integer.class)
                .ifBound(attempts -> builder.maxAttempts(atLeastOne(attempts, ENGINE_PREFIX + ".max-attempts")));
        return builder.build();
    }

    private static int atLeastOne(int value, String property) {
        if (value < 1) {
            throw new IllegalArgumentException("'" + property + "' must be greater than 0 but was " + value);
        }
        return value;
    }
}
