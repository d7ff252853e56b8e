package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.autoconfigure.InvalidParforPropertyException;
import dev.parfor.autoconfigure.ParforProperties;
import dev.parfor.hazelcast.ParforHazelcast;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

/**
 * Starts an embedded, secure-by-default Hazelcast member, when {@code parfor.hazelcast.embedded.enabled=true} and
 * the application has no Hazelcast instance (Spring Boot starts one itself when there is a Hazelcast configuration).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(HazelcastInstance.class)
@ConditionalOnBooleanProperty(name = "parfor.hazelcast.embedded.enabled")
class EmbeddedMemberConfiguration {

    private static final String AT = "parfor.hazelcast.embedded.";

    @Bean(destroyMethod = "shutdown")
    HazelcastInstance parforHazelcastInstance(
            ParforProperties properties,
            BeanFactory beanFactory,
            ResourceLoader resourceLoader,
            Environment environment) {
        Config config = config(properties, beanFactory, environment);
        config.setClassLoader(resourceLoader.getClassLoader());
        return Hazelcast.newHazelcastInstance(config);
    }

    /** The embedded member's configuration, every property checked before anything starts. */
    static Config config(ParforProperties properties, BeanFactory beanFactory, Environment environment) {
        ParforProperties.Hazelcast.Embedded embedded = properties.getHazelcast().getEmbedded();
        String clusterName = clusterName(embedded.getClusterName(), environment);
        int port = port(embedded.getPort(), AT + "port");
        List<String> packages = allowedPackages(properties.getHazelcast().getAllowedPackages(), beanFactory);
        Config config;
        ParforProperties.Hazelcast.Embedded.Kubernetes kubernetes = embedded.getKubernetes();
        if (kubernetes.isEnabled()) {
            if (embedded.getMembers() != null && !embedded.getMembers().isEmpty()) {
                throw new InvalidParforPropertyException(
                        AT + "members",
                        embedded.getMembers(),
                        "a members list and Kubernetes discovery exclude each other",
                        "Remove '" + AT + "members', or set '" + AT + "kubernetes.enabled' to false.");
            }
            config = ParforHazelcast.kubernetesConfig(clusterName, port, kubernetes(kubernetes), packages);
            if (embedded.getInterface() != null) {
                String bindAddress = required(embedded.getInterface(), AT + "interface", "an address such as 10.0.0.3");
                config.setProperty("hazelcast.socket.bind.any", "false");
                config.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of(bindAddress));
            }
        } else {
            String bindAddress = embedded.getInterface() == null
                    ? "127.0.0.1"
                    : required(embedded.getInterface(), AT + "interface", "an address such as 127.0.0.1");
            List<String> members =
                    embedded.getMembers() == null || embedded.getMembers().isEmpty()
                            ? List.of(bindAddress)
                            : embedded.getMembers();
            for (String member : members) {
                required(member, AT + "members[]", "host or host:port entries such as 10.0.0.2:5701");
            }
            config = ParforHazelcast.secureConfig(clusterName, bindAddress, port, members, packages);
        }
        // Spring closes the member after the parfor loops' graceful shutdown, not Hazelcast's JVM hook in parallel.
        config.setProperty(ShutdownHookCustomizer.PROPERTY, "false");
        return config;
    }

    private static String clusterName(@Nullable String clusterName, Environment environment) {
        if (clusterName != null) {
            return required(clusterName, AT + "cluster-name", "a name such as orders");
        }
        String application = environment.getProperty("spring.application.name");
        if (application == null || application.isBlank()) {
            throw new InvalidParforPropertyException(
                    AT + "cluster-name",
                    null,
                    "the embedded member needs a cluster name, and there is no spring.application.name to use",
                    "Set 'spring.application.name' or '" + AT
                            + "cluster-name'; only instances of one application should share a cluster.");
        }
        return application.strip();
    }

    private static Map<String, String> kubernetes(ParforProperties.Hazelcast.Embedded.Kubernetes kubernetes) {
        String at = AT + "kubernetes.";
        Map<String, String> properties = new LinkedHashMap<>();
        if (kubernetes.getServiceDns() != null) {
            properties.put(
                    "service-dns",
                    required(kubernetes.getServiceDns(), at + "service-dns", "a DNS name such as my-app.default.svc"));
        }
        if (kubernetes.getServiceName() != null) {
            if (kubernetes.getServiceDns() != null) {
                throw new InvalidParforPropertyException(
                        at + "service-name",
                        kubernetes.getServiceName(),
                        "service-dns (DNS lookup) and service-name (Kubernetes API) exclude each other",
                        "Set only '" + at + "service-dns' for a headless service, or only '" + at
                                + "service-name' for the Kubernetes API.");
            }
            properties.put(
                    "service-name", required(kubernetes.getServiceName(), at + "service-name", "a service name"));
        }
        if (kubernetes.getNamespace() != null) {
            properties.put("namespace", required(kubernetes.getNamespace(), at + "namespace", "a namespace"));
        }
        if (kubernetes.getServicePort() != null) {
            properties.put("service-port", Integer.toString(port(kubernetes.getServicePort(), at + "service-port")));
        }
        return properties;
    }

    /** The packages the user named, plus the application's own, where its loop bodies are declared. */
    private static List<String> allowedPackages(@Nullable List<String> named, BeanFactory beanFactory) {
        List<String> packages = new ArrayList<>();
        if (named != null) {
            for (String name : named) {
                if (name == null || name.isBlank()) {
                    throw new InvalidParforPropertyException(
                            "parfor.hazelcast.allowed-packages",
                            named,
                            "a package name is blank",
                            "List package names such as com.example.orders.");
                }
                packages.add(name.strip());
            }
        }
        if (AutoConfigurationPackages.has(beanFactory)) {
            packages.addAll(AutoConfigurationPackages.get(beanFactory));
        }
        return packages;
    }

    private static String required(@Nullable String value, String property, String example) {
        if (value == null || value.isBlank()) {
            throw new InvalidParforPropertyException(
                    property, value, "it must not be blank", "Set '" + property + "' to " + example + ".");
        }
        return value.strip();
    }

    private static int port(int port, String property) {
        if (port < 1 || port > 65_535) {
            throw new InvalidParforPropertyException(
                    property,
                    port,
                    "a port must be between 1 and 65535",
                    "Set '" + property + "' to a port such as 5701.");
        }
        return port;
    }
}
