package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.autoconfigure.ParforProperties;
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

/** Starts an embedded, secure-by-default Hazelcast member when the application has no Hazelcast instance. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(HazelcastInstance.class)
@ConditionalOnBooleanProperty(name = "parfor.hazelcast.embedded.enabled", matchIfMissing = true)
class EmbeddedMemberConfiguration {

    @Bean(destroyMethod = "shutdown")
    HazelcastInstance parforHazelcastInstance(
            ParforProperties properties, BeanFactory beanFactory, ResourceLoader resourceLoader) {
        ParforProperties.Hazelcast.Embedded embedded = properties.getHazelcast().getEmbedded();
        String bindAddress = required(embedded.getInterface(), "parfor.hazelcast.embedded.interface");
        List<String> members =
                embedded.getMembers() == null || embedded.getMembers().isEmpty()
                        ? List.of(bindAddress)
                        : embedded.getMembers();
        for (String member : members) {
            required(member, "parfor.hazelcast.embedded.members[]");
        }
        Config config = ParforHazelcast.secureConfig(
                required(embedded.getClusterName(), "parfor.hazelcast.embedded.cluster-name"),
                bindAddress,
                port(embedded.getPort()),
                members,
                allowedPackages(properties.getHazelcast().getAllowedPackages(), beanFactory));
        config.setClassLoader(resourceLoader.getClassLoader());
        return Hazelcast.newHazelcastInstance(config);
    }

    /** The packages the user named, plus the application's own, where its loop bodies are declared. */
    private static List<String> allowedPackages(@Nullable List<String> named, BeanFactory beanFactory) {
        List<String> packages = new ArrayList<>();
        if (named != null) {
            for (String name : named) {
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("'parfor.hazelcast.allowed-packages' must not hold a blank"
                            + " entry but was " + named + "; list package names such as com.example.orders");
                }
                packages.add(name.strip());
            }
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
        return value.strip();
    }

    private static int port(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(
                    "'parfor.hazelcast.embedded.port' must be between 1 and 65535 but was " + port);
        }
        return port;
    }
}
