package dev.parfor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two instances of the application, each a separate JVM started from the packaged Boot jar ({@code java -jar}, as in
 * production) with its own embedded Hazelcast member on loopback, form one cluster; a cluster loop started on either
 * runs tasks on both. Runs after {@code package} (failsafe), on the jar the build just made.
 */
class SampleClusterProcessesIT {

    /**
     * What Hazelcast logs when the JVM lacks the access it asks for; the jar's manifest ({@code Add-Opens},
     * {@code Add-Exports}) grants it, so {@code java -jar} needs no JVM option.
     */
    private static final String HAZELCAST_ACCESS_WARNING = "without proper access to required Java packages";

    private static final List<Instance> instances = new ArrayList<>();

    record Instance(Process process, SampleClient client, Path log) {}

    @BeforeAll
    static void startTwoInstances() throws IOException {
        String cluster = "parfor-sample-processes-" + UUID.randomUUID();
        // Member ports from 5851-5899: apart from the other tests' ranges and below the ephemeral ports.
        int firstMember = freePortBetween(5851, 5899);
        int secondMember = freePortBetween(firstMember + 1, 5899);
        String members = "127.0.0.1:" + firstMember + ",127.0.0.1:" + secondMember;
        instances.add(start("first", freePort(), cluster, firstMember, members));
        instances.add(start("second", freePort(), cluster, secondMember, members));
        for (Instance instance : instances) {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreException(UncheckedIOException.class) // not listening yet
                    .until(() -> {
                        assertAlive(instance);
                        return instance.client().get("/actuator/health").statusCode() == 200;
                    });
        }
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(instances
                                .get(0)
                                .client()
                                .json("/cluster/members")
                                .path("members")
                                .size())
                        .isEqualTo(2));
    }

    @AfterAll
    static void stopInstances() throws InterruptedException {
        for (Instance instance : instances) {
            instance.process().destroy(); // SIGTERM: Spring closes the context and the member leaves
        }
        for (Instance instance : instances) {
            if (!instance.process().waitFor(30, TimeUnit.SECONDS)) {
                instance.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(instance.process().isAlive()).isFalse();
        }
    }

    @Test
    void shouldRunTasksOfOneClusterLoopOnBothMembers() {
        JsonNode first = instances.get(0).client().json("/cluster/members");
        JsonNode second = instances.get(1).client().json("/cluster/members");
        String firstMember = first.path("local").asString();
        String secondMember = second.path("local").asString();
        assertThat(firstMember).isNotEqualTo(secondMember);

        JsonNode report = instances.get(0).client().json("/cluster?tasks=300&ms=5");

        Map<String, Long> perMember = new TreeMap<>();
        report.path("tasksPerMember")
                .properties()
                .forEach(e -> perMember.put(e.getKey(), e.getValue().asLong()));
        assertThat(perMember).containsOnlyKeys(firstMember, secondMember);
        assertThat(perMember.get(firstMember)).isPositive();
        assertThat(perMember.get(secondMember)).isPositive();
        assertThat(perMember.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(300);
        assertThat(report.path("processes").asLong()).as("JVMs that ran tasks").isEqualTo(2);
        assertThat(report.path("checksum").asLong())
                .isEqualTo(LongStream.range(0, 300).map(i -> i * i).sum());
        assertThat(report.path("loop").path("engine").asString()).isEqualTo("hazelcast");
        assertThat(report.path("loop").path("done").asLong()).isEqualTo(300);
    }

    @Test
    void shouldGiveHazelcastTheAccessItAsksForThroughTheJarManifest() throws IOException {
        for (Instance instance : instances) {
            assertThat(Files.readString(instance.log(), StandardCharsets.UTF_8))
                    .as("log of an instance started with java -jar and no JVM option")
                    .contains("Members {size:2")
                    .doesNotContain(HAZELCAST_ACCESS_WARNING);
        }
    }

    @Test
    void shouldRunTheSameLoopFromTheSecondInstance() {
        JsonNode report = instances.get(1).client().json("/cluster?tasks=100&ms=5");

        assertThat(report.path("members").size()).isEqualTo(2);
        assertThat(report.path("tasksPerMember").size()).isEqualTo(2);
        assertThat(report.path("processes").asLong()).isEqualTo(2);
        assertThat(report.path("checksum").asLong())
                .isEqualTo(LongStream.range(0, 100).map(i -> i * i).sum());
    }

    private static Instance start(String name, int httpPort, String cluster, int memberPort, String members)
            throws IOException {
        Path log =
                Files.createDirectories(Path.of("target", "cluster-processes")).resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("-Xmx384m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-jar");
        command.add(bootJar().toString());
        command.add("--server.port=" + httpPort);
        command.add("--server.address=127.0.0.1");
        command.add("--sample.dataset.size=100000");
        command.add("--parfor.hazelcast.embedded.cluster-name=" + cluster);
        command.add("--parfor.hazelcast.embedded.port=" + memberPort);
        command.add("--parfor.hazelcast.embedded.members=" + members);
        // Hazelcast's warnings (among them the one about JVM access) and the cluster's member list.
        command.add("--logging.level.com.hazelcast=warn");
        command.add("--logging.level.com.hazelcast.internal.cluster.ClusterService=info");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        // Should this JVM end before @AfterAll runs, the instance must not outlive it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return new Instance(process, new SampleClient(httpPort), log);
    }

    private static Path bootJar() {
        String jar = System.getProperty("sample.jar");
        assertThat(jar)
                .as("system property sample.jar (set by the pom's failsafe configuration)")
                .isNotNull();
        assertThat(Path.of(jar)).as("the packaged application").isRegularFile();
        return Path.of(jar);
    }

    private static void assertAlive(Instance instance) {
        if (!instance.process().isAlive()) {
            throw new AssertionError(
                    "the instance exited with " + instance.process().exitValue() + ":\n" + tail(instance.log()));
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePortBetween(int first, int last) {
        for (int port = first; port <= last; port++) {
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IllegalStateException("no free loopback port in " + first + "-" + last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
