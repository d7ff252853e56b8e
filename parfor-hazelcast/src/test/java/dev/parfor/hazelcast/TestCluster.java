package dev.parfor.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Hazelcast members for tests: loopback only, a unique cluster name and free ports, all stopped on close. */
final class TestCluster implements AutoCloseable {

    private final String name;
    private final int basePort;
    private final List<HazelcastInstance> members = new ArrayList<>();

    /** A cluster with no member in this JVM yet, for members started elsewhere. */
    TestCluster(String name, int basePort) {
        this.name = name;
        this.basePort = basePort;
    }

    /** Starts {@code size} members, one after another, each joined to the ones before. */
    static TestCluster start(int size) {
        TestCluster cluster = new TestCluster(uniqueName(), freePort());
        try {
            for (int i = 0; i < size; i++) {
                cluster.members.add(Hazelcast.newHazelcastInstance(config(cluster.name, cluster.basePort)));
            }
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    static String uniqueName() {
        return "parfor-test-" + UUID.randomUUID();
    }

    /** The secure configuration with settings that make a small test cluster start and notice deaths quickly. */
    static Config config(String clusterName, int basePort) {
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            peers.add("127.0.0.1:" + (basePort + i));
        }
        Config config = ParforHazelcast.secureConfig(clusterName, basePort, peers, List.of());
        config.setProperty("hazelcast.partition.count", "31");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "6");
        config.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
        config.getNetworkConfig().getJoin().getTcpIpConfig().setConnectionTimeoutSeconds(1);
        config.getNetworkConfig().setPortCount(4);
        return config;
    }

    /**
     * The first of four consecutive loopback ports that are free now, from 6100-6199: below the ephemeral range, so
     * that outgoing connections of other tests and builds on the machine cannot take them between check and use.
     */
    static int freePort() {
        int start = java.util.concurrent.ThreadLocalRandom.current().nextInt(25);
        for (int i = 0; i < 25; i++) {
            int base = 6100 + ((start + i) % 25) * 4;
            if (free(base) && free(base + 1) && free(base + 2) && free(base + 3)) {
                return base;
            }
        }
        throw new IllegalStateException("no four consecutive free ports in 6100-6199 on loopback");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops this cluster's members and checks that no Hazelcast member is left running in this JVM. */
    void closeLeavingNoMember() {
        close();
        org.assertj.core.api.Assertions.assertThat(Hazelcast.getAllHazelcastInstances())
                .as("members left running")
                .isEmpty();
    }

    String name() {
        return name;
    }

    int basePort() {
        return basePort;
    }

    List<HazelcastInstance> members() {
        return members;
    }

    HazelcastInstance first() {
        return members.get(0);
    }

    /** Adds a member that holds no data, such as a caller that only submits work. */
    HazelcastInstance addLiteMember() {
        Config config = config(name, basePort);
        config.setLiteMember(true);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        members.add(member);
        return member;
    }

    @Override
    public void close() {
        for (HazelcastInstance member : members) {
            try {
                member.getLifecycleService().terminate();
            } catch (RuntimeException e) {
                // already gone
            }
        }
        members.clear();
    }
}
