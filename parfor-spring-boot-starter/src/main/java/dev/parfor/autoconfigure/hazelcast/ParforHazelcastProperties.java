package dev.parfor.autoconfigure.hazelcast;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the Hazelcast member parfor starts when the application has none, and of the deserialization
 * allow-list.
 */
@ConfigurationProperties("parfor.hazelcast")
public class ParforHazelcastProperties {

    /**
     * Packages (each with its sub-packages) whose classes Hazelcast members may deserialize, besides parfor's,
     * Hazelcast's, the basic java.* packages and the application's own package: those of loop bodies, inputs,
     * contexts, results and exceptions.
     */
    private List<String> allowedPackages = new ArrayList<>();

    /** The embedded member. */
    private final Embedded embedded = new Embedded();

    /**
     * The packages whose classes may be deserialized.
     *
     * @return the packages
     */
    public List<String> getAllowedPackages() {
        return allowedPackages;
    }

    /**
     * Sets the packages whose classes may be deserialized.
     *
     * @param allowedPackages the packages
     */
    public void setAllowedPackages(List<String> allowedPackages) {
        this.allowedPackages = allowedPackages;
    }

    /**
     * The embedded member's settings.
     *
     * @return the settings
     */
    public Embedded getEmbedded() {
        return embedded;
    }

    /** The Hazelcast member parfor starts when the application defines no {@code HazelcastInstance}. */
    public static class Embedded {

        /** Whether to start an embedded Hazelcast member when the application has no HazelcastInstance. */
        private boolean enabled = true;

        /** Name of the cluster; members with another name never join. */
        private String clusterName = "parfor";

        /** First port to listen on; the next free one is used when it is taken. */
        private int port = 5701;

        /** Members to join through TCP-IP, as host or host:port. */
        private List<String> members = new ArrayList<>(List.of("127.0.0.1"));

        /** The one network interface to bind to and talk from. */
        private String networkInterface = "127.0.0.1";

        /**
         * Whether to start the embedded member.
         *
         * @return {@code true} to start it
         */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether to start the embedded member.
         *
         * @param enabled {@code true} to start it
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * The cluster's name.
         *
         * @return the name
         */
        public String getClusterName() {
            return clusterName;
        }

        /**
         * Sets the cluster's name.
         *
         * @param clusterName the name
         */
        public void setClusterName(String clusterName) {
            this.clusterName = clusterName;
        }

        /**
         * The first port to listen on.
         *
         * @return the port
         */
        public int getPort() {
            return port;
        }

        /**
         * Sets the first port to listen on.
         *
         * @param port the port
         */
        public void setPort(int port) {
            this.port = port;
        }

        /**
         * The members to join.
         *
         * @return host or host:port entries
         */
        public List<String> getMembers() {
            return members;
        }

        /**
         * Sets the members to join.
         *
         * @param members host or host:port entries
         */
        public void setMembers(List<String> members) {
            this.members = members;
        }

        /**
         * The interface to bind to ({@code parfor.hazelcast.embedded.interface}).
         *
         * @return the address
         */
        public String getInterface() {
            return networkInterface;
        }

        /**
         * Sets the interface to bind to ({@code parfor.hazelcast.embedded.interface}).
         *
         * @param networkInterface the address, such as {@code 127.0.0.1}
         */
        public void setInterface(String networkInterface) {
            this.networkInterface = networkInterface;
        }
    }
}
