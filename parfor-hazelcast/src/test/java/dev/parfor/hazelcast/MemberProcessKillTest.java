package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.ParallelFor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Members in JVMs of their own, one of them killed with SIGKILL while a loop runs: every input still gets its
 * result, in order, exactly once. This JVM joins as a lite member, so every task runs in the child processes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MemberProcessKillTest {

    private static final List<String> JVM_ARGS = List.of(
            "--add-modules", "java.se",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    private final List<Process> processes = new ArrayList<>();
    private TestCluster caller;

    @AfterEach
    void stopEverything() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly();
        }
        for (Process process : processes) {
            process.waitFor(20, TimeUnit.SECONDS);
        }
        if (caller != null) {
            caller.close();
        }
        assertThat(Hazelcast.getAllHazelcastInstances())
                .as("members left running")
                .isEmpty();
        assertThat(processes)
                .allSatisfy(process -> assertThat(process.isAlive()).isFalse());
    }

    @Test
    void shouldDeliverEveryResultInOrderExactlyOnceWhenAMemberIsKilledMidLoop() throws Exception {
        String clusterName = TestCluster.uniqueName();
        int basePort = TestCluster.freePort();
        List<CompletableFuture<String>> ready =
                List.of(startMember(clusterName, basePort, "a"), startMember(clusterName, basePort, "b"));
        List<String> addresses = new ArrayList<>();
        for (CompletableFuture<String> member : ready) {
            addresses.add(member.get(60, TimeUnit.SECONDS));
        }
        caller = new TestCluster(clusterName, basePort);
        HazelcastInstance lite = caller.addLiteMember();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> lite.getCluster().getMembers().size() == 3);

        HazelcastEngine engine = HazelcastEngine.builder(lite).poolSize(4).build();
        int total = 6000;
        try (ParallelFor parfor =
                ParallelFor.builder().engine("hazelcast", engine).build()) {
            CompletableFuture<List<Long>> loop = CompletableFuture.supplyAsync(() -> parfor.loop("survivor")
                    .chunkSize(10)
                    .map(LongStream.range(0, total).boxed().toList(), MemberProcessKillTest::slowTriple));

            // Kill the first child once both have run part of the loop and much of it is still to do.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        Map<String, Long> perMember = engine.tasksPerMember();
                        return perMember.size() == 2
                                && perMember.values().stream().allMatch(count -> count >= 100);
                    });
            assertThat(parfor.running())
                    .singleElement()
                    .satisfies(running -> assertThat(running.progress().done()).isLessThan(total / 2));
            Process victim = processes.get(0);
            victim.destroyForcibly();
            assertThat(victim.waitFor(20, TimeUnit.SECONDS)).isTrue();

            List<Long> results = loop.get(60, TimeUnit.SECONDS);

            assertThat(results).hasSize(total);
            assertThat(results)
                    .isEqualTo(
                            LongStream.range(0, total).map(x -> x * 3).boxed().toList());
            assertThat(engine.tasksPerMember()).containsOnlyKeys(addresses);
            assertThat(engine.tasksPerMember().values().stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .isGreaterThanOrEqualTo(total);
            assertThat(lite.getCluster().getMembers()).hasSize(2);
        }
    }

    static long slowTriple(long x) throws InterruptedException {
        Thread.sleep(5);
        return x * 3;
    }

    private CompletableFuture<String> startMember(String clusterName, int basePort, String name) throws IOException {
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
