package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.hazelcast.ParforHazelcast;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;

/** Starts an embedded, secure-by-default member when the application has no Hazelcast instance. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(HazelcastInstance.class)
@ConditionalOnBooleanProperty(name = "parfor.hazelcast.embedded.enabled", matchIfMissing = true)
class EmbeddedMemberConfiguration {

    @Bean(destroyMethod = "shutdown")
    HazelcastInstance parforHazelcastInstance(
            ParforHazelcastProperties properties, BeanFactory beanFactory, ResourceLoader resourceLoader) {
        ParforHazelcastProperties.Embedded embedded = properties.getEmbedded();
        Config config = ParforHazelcast.secureConfig(
                required(embedded.getClusterName(), "parfor.hazelcast.embedded.cluster-name"),
                required(embedded.getInterface(), "parfor.hazelcast.embedded.interface"),
                port(embedded.getPort()),
                embedded.getMembers(),
                allowedPackages(properties, beanFactory));
        config.setClassLoader(resourceLoader.getClassLoader());
        return Hazelcast.newHazelcastInstance(config);
    }

    /** The packages the user named, plus the application's own (where its bodies are declared). */
    private static List<String> allowedPackages(ParforHazelcastProperties properties, BeanFactory beanFactory) {
        List<String> packages = new ArrayList<>();
        for (String name : properties.getAllowedPackages()) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(
                        "'parfor.hazelcast.allowed-packages' must not hold a blank entry but was "
                                + properties.getAllowedPackages() + "; list package names such as com.example");
            }
            packages.add(name.strip());
        }
        if (AutoConfigurationPackages.has(beanFactory)) {
            packages.addAll(AutoConfigurationPackages.get(beanFactory));
        }
        return packages;
    }

    private static String required(@Nullable String value, String property) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("'" + property + "' must not be blank but was '" + value + "'");
        }
        return value;
    }

    private static int port(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(
                    "'parfor.hazelcast.embedded.port' must be between 1 and 65535 but was " + port);
        }
        return port;
    }
}
