package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.ParallelFor;
import dev.parfor.hazelcast.HazelcastEngine;
import dev.parfor.hazelcast.ParforHazelcast;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cluster faults on the Hazelcast engine, with members in this JVM on loopback: a member killed mid-loop, a member
 * that joins mid-loop and a slow member. Nothing may be lost and results stay in input order. Bodies run at least
 * once (a killed member's chunk runs again elsewhere), so runs are counted, not asserted to be exactly one. Each test
 * uses its own cluster name and ports in 5901-5999 and leaves no member running. {@code @Timeout} is a hang guard.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterFaultTest {

    private static final Figures FIGURES = new Figures("cluster");

    // Shared with the bodies, which run on the members' threads in this JVM.
    static final Map<Integer, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    static final AtomicInteger DONE = new AtomicInteger();
    static final AtomicInteger SLOW_RUNS = new AtomicInteger();
    static volatile String slowMember = "none";

    private final List<HazelcastInstance> members = new ArrayList<>();
    private String clusterName = "";
    private int basePort;

    @AfterEach
    void stopMembers() {
        for (HazelcastInstance member : members) {
            try {
                member.getLifecycleService().terminate();
            } catch (RuntimeException e) {
                // already gone
            }
        }
        members.clear();
        assertThat(Hazelcast.getAllHazelcastInstances())
                .as("members left running")
                .isEmpty();
        RUNS.clear();
        DONE.set(0);
        SLOW_RUNS.set(0);
        slowMember = "none";
    }

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    private void cluster(int port) {
        clusterName = "parfor-reliability-" + UUID.randomUUID();
        basePort = port;
    }

    private HazelcastInstance member(String instanceName) {
        List<String> peers = IntStream.range(0, 4)
                .mapToObj(i -> "127.0.0.1:" + (basePort + i))
                .toList();
        Config config = ParforHazelcast.secureConfig(clusterName, basePort, peers, List.of("dev.parfor.reliability"));
        config.setInstanceName(instanceName + "-" + UUID.randomUUID());
        config.setProperty("hazelcast.partition.count", "31");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "6");
        config.getNetworkConfig().setPortCount(4);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setConnectionTimeoutSeconds(1);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        members.add(member);
        return member;
    }

    private static Integer slowDouble(Integer input) throws InterruptedException {
        RUNS.computeIfAbsent(input, k -> new AtomicInteger()).incrementAndGet();
        if (Thread.currentThread().getName().contains(slowMember)) {
            SLOW_RUNS.incrementAndGet();
            Thread.sleep(40);
        } else {
            Thread.sleep(5);
        }
        DONE.incrementAndGet();
        return input * 2;
    }

    private static List<Integer> expected(int size) {
        return IntStream.range(0, size).map(i -> i * 2).boxed().toList();
    }

    private static void recordRuns(int size, List<Integer> results) {
        long lost = IntStream.range(0, size)
                .filter(i -> results.size() <= i || results.get(i) == null || results.get(i) != i * 2)
                .count();
        long again = RUNS.values().stream()
                .mapToInt(AtomicInteger::get)
                .filter(n -> n > 1)
                .count();
        FIGURES.add("loops run", 1);
        FIGURES.add("inputs", size);
        FIGURES.add("inputs lost", lost);
        FIGURES.add("inputs run again after a fault", again);
    }

    @Test
    void shouldDeliverEveryResultInOrderWhenAMemberIsKilledMidLoop() throws Exception {
        cluster(5901);
        HazelcastInstance caller = member("caller");
        member("stays");
        HazelcastInstance doomed = member("killed");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> caller.getCluster().getMembers().size() == 3);
        HazelcastEngine engine = HazelcastEngine.builder(caller).poolSize(2).build();
        int size = 400;
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            CompletableFuture<List<Integer>> loop = CompletableFuture.supplyAsync(() -> parfor.loop("member-killed")
                    .chunkSize(4)
                    .map(IntStream.range(0, size).boxed().toList(), ClusterFaultTest::slowDouble));
            await().atMost(Duration.ofSeconds(60)).until(() -> DONE.get() >= 60);
            doomed.getLifecycleService().terminate();
            List<Integer> results = loop.get(90, TimeUnit.SECONDS);

            assertThat(results).isEqualTo(expected(size));
            assertThat(RUNS).as("every input ran").hasSize(size);
            recordRuns(size, results);
            FIGURES.add("faults injected", 1);
            FIGURES.note(
                    "member killed: inputs per member", engine.tasksPerMember().toString());
        }
    }

    @Test
    void shouldDeliverEveryResultInOrderWhenAMemberJoinsMidLoop() throws Exception {
        cluster(5921);
        HazelcastInstance caller = member("caller");
        member("first");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> caller.getCluster().getMembers().size() == 2);
        HazelcastEngine engine = HazelcastEngine.builder(caller).poolSize(2).build();
        int size = 400;
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            CompletableFuture<List<Integer>> loop = CompletableFuture.supplyAsync(() -> parfor.loop("member-joins")
                    .chunkSize(4)
                    .map(IntStream.range(0, size).boxed().toList(), ClusterFaultTest::slowDouble));
            await().atMost(Duration.ofSeconds(60)).until(() -> DONE.get() >= 40);
            member("joined");
            List<Integer> results = loop.get(90, TimeUnit.SECONDS);

            assertThat(results).isEqualTo(expected(size));
            assertThat(RUNS).as("every input ran").hasSize(size);
            assertThat(RUNS.values()).as("no input ran twice").allMatch(n -> n.get() == 1);
            recordRuns(size, results);
            FIGURES.add("faults injected", 1);
            FIGURES.note(
                    "member joined: inputs per member", engine.tasksPerMember().toString());
        }
    }

    @Test
    void shouldDeliverEveryResultInOrderWhenAMemberIsSlow() {
        cluster(5941);
        HazelcastInstance caller = member("caller");
        HazelcastInstance slow = member("slow");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> caller.getCluster().getMembers().size() == 2);
        // Hazelcast names a member's threads after its instance, so a body can tell it runs on the slow one.
        slowMember = slow.getName();
        HazelcastEngine engine = HazelcastEngine.builder(caller).poolSize(2).build();
        int size = 300;
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            List<Integer> results = parfor.loop("member-slow")
                    .chunkSize(2)
                    .map(IntStream.range(0, size).boxed().toList(), ClusterFaultTest::slowDouble);

            assertThat(results).isEqualTo(expected(size));
            assertThat(SLOW_RUNS.get()).as("inputs run on the slow member").isPositive();
            assertThat(RUNS.values()).as("no input ran twice").allMatch(n -> n.get() == 1);
            recordRuns(size, results);
            FIGURES.add("faults injected", 1);
            FIGURES.note(
                    "slow member: inputs per member", engine.tasksPerMember().toString());
        }
    }
}
