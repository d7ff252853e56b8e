package dev.parfor.hazelcast;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Hazelcast member configuration that is secure by default, for running parfor's {@link HazelcastEngine}.
 *
 * <pre>{@code
 * Config config = ParforHazelcast.secureConfig("orders", 5701, List.of("127.0.0.1"), List.of("com.example.orders"));
 * HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
 * }</pre>
 *
 * <p>What "secure by default" means here: an explicit cluster name, members found only through the given TCP-IP
 * list (multicast and auto-detection off), sockets bound to one interface (loopback unless told otherwise), no
 * phone-home call, and a Java deserialization allow-list: parfor's and Hazelcast's own classes, arrays, the basic
 * {@code java.*} packages listed in {@link #JAVA_PACKAGES}, {@code java.lang.invoke.SerializedLambda} (so that
 * serializable lambdas can be sent), and the packages the application names. Any other class is refused when a
 * member deserializes it.
 */
public final class ParforHazelcast {

    /**
     * The {@code java.*} packages whose classes every member may deserialize: values, collections, errors. Not
     * {@code java.net}: a {@code HashMap} keyed by a {@code java.net.URL} makes the reader resolve a host name the
     * sender chose (the "URLDNS" probe); add {@code java.net} to the allowed packages only for a trusted cluster.
     */
    public static final List<String> JAVA_PACKAGES = List.of(
            "java.lang",
            "java.util",
            "java.util.concurrent",
            "java.util.concurrent.atomic",
            "java.math",
            "java.time",
            "java.io",
            "java.nio.file");

    /**
     * The member attribute holding the member's processor count, set by parfor's configurations; the
     * {@link HazelcastEngine} keeps at most twice that many chunks in flight per member, so that tiny bodies go out
     * in fewer, larger chunks.
     */
    public static final String PROCESSORS_ATTRIBUTE = "parfor.processors";

    private ParforHazelcast() {}

    /**
     * A member configuration bound to {@code 127.0.0.1}; see {@link #secureConfig(String, String, int, List,
     * Collection)}.
     *
     * @param clusterName the cluster's name; members with another name never join
     * @param port the first port to try; the next free one is used when it is taken
     * @param members the members to join, as {@code host} or {@code host:port}; an empty list starts alone
     * @param allowedPackages the application's packages whose classes may be deserialized (each with its
     *     sub-packages), such as the package of the loop bodies, inputs, context and results
     * @return a new configuration; change it further before starting the member if needed
     * @throws IllegalArgumentException for a blank cluster name, a port outside 1..65535 or a blank entry
     */
    public static Config secureConfig(
            String clusterName, int port, List<String> members, Collection<String> allowedPackages) {
        return secureConfig(clusterName, "127.0.0.1", port, members, allowedPackages);
    }

    /**
     * A member configuration that is secure by default: explicit cluster name, TCP-IP join to {@code members} only
     * (no multicast, no auto-detection), sockets bound to {@code bindAddress} only, phone-home off, logging through
     * SLF4J, and the deserialization allow-list of {@link #serializationFilter(Collection)}.
     *
     * @param clusterName the cluster's name; members with another name never join
     * @param bindAddress the one interface to listen on and to talk from, such as {@code 127.0.0.1}
     * @param port the first port to try; the next free one is used when it is taken
     * @param members the members to join, as {@code host} or {@code host:port}; an empty list starts alone
     * @param allowedPackages the application's packages whose classes may be deserialized (each with its
     *     sub-packages)
     * @return a new configuration; change it further before starting the member if needed
     * @throws IllegalArgumentException for a blank cluster name or address, a port outside 1..65535 or a blank entry
     */
    public static Config secureConfig(
            String clusterName,
            String bindAddress,
            int port,
            List<String> members,
            Collection<String> allowedPackages) {
        notBlank(clusterName, "clusterName");
        notBlank(bindAddress, "bindAddress");
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("'port' must be between 1 and 65535 but was " + port);
        }
        Objects.requireNonNull(members, "'members' must not be null");
        for (String member : members) {
            notBlank(member, "members[]");
        }
        Config config = new Config();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port).setPortAutoIncrement(true);
        network.getInterfaces().setEnabled(true).setInterfaces(List.of(bindAddress));
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(List.copyOf(members));
        config.getSerializationConfig().setJavaSerializationFilterConfig(serializationFilter(allowedPackages));
        // A member holding the backup of a loop's context reads it locally instead of from the owner, so the
        // context crosses the network about once per member.
        config.getMapConfig(MemberSide.PAYLOADS).setReadBackupData(true);
        config.getMemberAttributeConfig()
                .setAttribute(
                        PROCESSORS_ATTRIBUTE,
                        Integer.toString(Runtime.getRuntime().availableProcessors()));
        return config;
    }

    /**
     * A member configuration for Kubernetes, secure by default as {@link #secureConfig(String, String, int, List,
     * Collection)} except for discovery: members find each other with Hazelcast's built-in Kubernetes join instead
     * of a TCP-IP list, and listen on the pod's interface. With {@code service-dns} set, the members are the
     * addresses a DNS lookup of that headless service returns; otherwise they are the endpoints the Kubernetes API
     * lists ({@code service-name}, {@code namespace}; the pod's service account then needs to read endpoints and
     * pods).
     *
     * @param clusterName the cluster's name; members with another name never join
     * @param port the port every member listens on
     * @param kubernetes Hazelcast's Kubernetes discovery properties, such as {@code service-dns},
     *     {@code service-name}, {@code namespace} and {@code service-port}
     * @param allowedPackages the application's packages whose classes may be deserialized (each with its
     *     sub-packages)
     * @return a new configuration
     * @throws IllegalArgumentException for a blank cluster name, a port outside 1..65535, a blank property, or
     *     {@code service-dns} together with {@code service-name}
     */
    public static Config kubernetesConfig(
            String clusterName, int port, Map<String, String> kubernetes, Collection<String> allowedPackages) {
        Objects.requireNonNull(kubernetes, "'kubernetes' must not be null");
        kubernetes.forEach((key, value) -> notBlank(value, "kubernetes." + key));
        if (kubernetes.containsKey("service-dns") && kubernetes.containsKey("service-name")) {
            throw new IllegalArgumentException("'kubernetes.service-dns' and 'kubernetes.service-name' must not both be"
                    + " set but were '" + kubernetes.get("service-dns") + "' and '" + kubernetes.get("service-name")
                    + "'; set service-dns for a DNS lookup of a headless service, or service-name for the"
                    + " Kubernetes API");
        }
        Config config = secureConfig(clusterName, "127.0.0.1", port, List.of(), allowedPackages);
        config.setProperty("hazelcast.socket.bind.any", "true");
        NetworkConfig network = config.getNetworkConfig();
        network.setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(false).setInterfaces(List.of());
        JoinConfig join = network.getJoin();
        join.getTcpIpConfig().setEnabled(false).setMembers(List.of());
        var discovery = join.getKubernetesConfig().setEnabled(true);
        kubernetes.forEach(discovery::setProperty);
        return config;
    }

    /**
     * The deserialization allow-list parfor needs, for a configuration the application builds itself (for example
     * one Spring Boot loads from {@code hazelcast.yaml}): Hazelcast's built-in defaults are disabled and only
     * parfor's and Hazelcast's classes, arrays, {@link #JAVA_PACKAGES}, {@code java.lang.invoke.SerializedLambda}
     * and {@code allowedPackages} (each with its sub-packages) may be deserialized.
     *
     * @param allowedPackages the application's packages, such as {@code com.example.orders}
     * @return a new filter configuration, for {@code SerializationConfig.setJavaSerializationFilterConfig}
     * @throws IllegalArgumentException for a blank package name
     */
    public static JavaSerializationFilterConfig serializationFilter(Collection<String> allowedPackages) {
        Objects.requireNonNull(allowedPackages, "'allowedPackages' must not be null");
        ClassFilter allowed = new ClassFilter()
                .addPrefixes("dev.parfor.", "com.hazelcast.", "[")
                .addClasses("java.lang.invoke.SerializedLambda");
        allowed.setPackages(JAVA_PACKAGES);
        for (String name : allowedPackages) {
            notBlank(name, "allowedPackages[]");
            String trimmed = name.strip();
            if (trimmed.endsWith(".")) {
                trimmed = trimmed.substring(0, trimmed.length() - 1);
            }
            allowed.addPackages(trimmed);
            allowed.addPrefixes(trimmed + ".");
        }
        return new JavaSerializationFilterConfig().setDefaultsDisabled(true).setWhitelist(allowed);
    }

    private static void notBlank(String value, String parameter) {
        Objects.requireNonNull(value, () -> "'" + parameter + "' must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException("'" + parameter + "' must not be blank but was '" + value + "'");
        }
    }
}
