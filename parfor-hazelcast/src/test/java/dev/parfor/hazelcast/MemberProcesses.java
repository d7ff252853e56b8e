package dev.parfor.hazelcast;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Members of one test cluster, each in a JVM of its own ({@link MemberMain}) on loopback, and the clients that
 * connect to them from this JVM. {@link #close()} kills every process it started and shuts every client down.
 */
final class MemberProcesses implements AutoCloseable {

    private static final List<String> JVM_ARGS = List.of(
            "--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    private final String clusterName = TestCluster.uniqueName();
    private final int basePort = TestCluster.freePort();
    private final List<Process> processes = new ArrayList<>();
    private final List<String> uuids = new ArrayList<>();
    private final List<HazelcastInstance> clients = new ArrayList<>();

    /** Starts {@code count} member processes and waits until each has joined; returns their UUIDs. */
    static MemberProcesses start(int count) throws IOException, InterruptedException {
        MemberProcesses cluster = new MemberProcesses();
        try {
            List<CompletableFuture<String>> ready = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ready.add(cluster.startMember("m" + i));
            }
            for (CompletableFuture<String> member : ready) {
                cluster.uuids.add(member.get(90, TimeUnit.SECONDS));
            }
        } catch (ExecutionException | TimeoutException e) {
            cluster.close();
            throw new IllegalStateException("member processes did not start", e);
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    String clusterName() {
        return clusterName;
    }

    int basePort() {
        return basePort;
    }

    /** The UUIDs of the members started, in start order. */
    List<String> uuids() {
        return uuids;
    }

    List<Process> processes() {
        return processes;
    }

    /** A client of this cluster, in this JVM, stopped on {@link #close()}. */
    HazelcastInstance newClient() {
        ClientConfig config = new ClientConfig();
        config.setClusterName(clusterName);
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            addresses.add("127.0.0.1:" + (basePort + i));
        }
        config.getNetworkConfig().setAddresses(addresses);
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(30_000);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        clients.add(client);
        return client;
    }

    /** Kills member {@code i} with SIGKILL and waits for its process to end. */
    void kill(int i) throws InterruptedException {
        Process victim = processes.get(i);
        victim.destroyForcibly();
        if (!victim.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("member " + i + " did not die");
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (HazelcastInstance client : clients) {
            try {
                client.getLifecycleService().terminate();
            } catch (RuntimeException e) {
                // already gone
            }
        }
        for (Process process : processes) {
            process.destroyForcibly();
        }
        for (Process process : processes) {
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** Whether every process started has ended. */
    boolean allStopped() {
        return processes.stream().noneMatch(Process::isAlive);
    }

    private CompletableFuture<String> startMember(String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        command.add(java);
        command.add("-Xmx256m");
        command.addAll(JVM_ARGS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MemberMain.class.getName());
        command.add(clusterName);
        command.add(Integer.toString(basePort));
        Path log = Files.createDirectories(Path.of("target", "member-logs")).resolve(clusterName + "-" + name + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    if (line.startsWith("READY ")) {
                        ready.complete(line.substring("READY ".length()).trim());
                    }
                }
            } catch (IOException e) {
                // the process died; the future below fails
            }
            ready.completeExceptionally(new IllegalStateException("member " + name + " exited; see " + log));
        });
        reader.setDaemon(true);
        reader.start();
        return ready;
    }
}
