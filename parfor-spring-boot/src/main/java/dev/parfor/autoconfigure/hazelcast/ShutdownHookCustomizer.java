package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.config.Config;
import org.springframework.boot.hazelcast.autoconfigure.HazelcastConfigCustomizer;

/**
 * Turns Hazelcast's own JVM shutdown hook off on a member Spring Boot starts from the application's Hazelcast
 * configuration, unless that configuration sets it: the hook would terminate the member while Spring's graceful
 * shutdown still lets running loops finish. Spring shuts the member down itself, after the loops.
 */
final class ShutdownHookCustomizer implements HazelcastConfigCustomizer {

    static final String PROPERTY = "hazelcast.shutdownhook.enabled";

    @Override
    public void customize(Config config) {
        if (config.getProperty(PROPERTY) == null) {
            config.setProperty(PROPERTY, "false");
        }
    }
}
