package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.ParallelFor;
import java.time.Duration;
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
 * result, in order, exactly once. The caller in this JVM is a lite member or a client, so every task runs in the
 * child processes.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MemberProcessKillTest {

    private MemberProcesses members;
    private TestCluster caller;

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (caller != null) {
            caller.close();
        }
        if (members != null) {
            members.close();
            assertThat(members.allStopped()).as("member processes stopped").isTrue();
        }
        assertThat(Hazelcast.getAllHazelcastInstances())
                .as("members left running")
                .isEmpty();
        assertThat(HazelcastClient.getAllHazelcastClients())
                .as("clients left running")
                .isEmpty();
    }

    @Test
    void shouldDeliverEveryResultInOrderExactlyOnceWhenAMemberIsKilledMidLoop() throws Exception {
        members = MemberProcesses.start(2);
        caller = new TestCluster(members.clusterName(), members.basePort());
        HazelcastInstance lite = caller.addLiteMember();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> lite.getCluster().getMembers().size() == 3);

        runKillingTheFirstMember(HazelcastEngine.builder(lite).poolSize(4).build());
        assertThat(lite.getCluster().getMembers()).hasSize(2);
    }

    @Test
    void shouldDeliverEveryResultInOrderExactlyOnceToAClientWhenAMemberIsKilledMidLoop() throws Exception {
        members = MemberProcesses.start(2);
        HazelcastInstance client = members.newClient();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.getCluster().getMembers().size() == 2);

        runKillingTheFirstMember(HazelcastEngine.create(client));
        assertThat(client.getCluster().getMembers()).hasSize(1);
    }

    private void runKillingTheFirstMember(HazelcastEngine engine) throws Exception {
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
            members.kill(0);

            List<Long> results = loop.get(90, TimeUnit.SECONDS);

            assertThat(results).hasSize(total);
            assertThat(results)
                    .isEqualTo(
                            LongStream.range(0, total).map(x -> x * 3).boxed().toList());
            assertThat(engine.tasksPerMember()).containsOnlyKeys(members.uuids());
            assertThat(engine.tasksPerMember().values().stream()
                            .mapToLong(Long::longValue)
                            .sum())
                    .isGreaterThanOrEqualTo(total);
        }
    }

    static long slowTriple(long x) throws InterruptedException {
        Thread.sleep(5);
        return x * 3;
    }
}
