package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.ParallelFor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine on a Hazelcast client: a cluster of two members in other JVMs, the caller a client in this one. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientModeTest {

    private static MemberProcesses members;
    private static HazelcastInstance client;

    @BeforeAll
    static void startCluster() throws Exception {
        members = MemberProcesses.start(2);
        client = members.newClient();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.getCluster().getMembers().size() == 2);
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        members.close();
        assertThat(members.allStopped()).as("member processes stopped").isTrue();
        assertThat(HazelcastClient.getAllHazelcastClients())
                .as("clients left running")
                .isEmpty();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Test
    void shouldRunALoopFromAClientOnEveryMember() {
        HazelcastEngine engine = HazelcastEngine.create(client);
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            List<Integer> results = parfor.loop("from-client").chunkSize(5).map(range(500), x -> x * 7);

            assertThat(results).isEqualTo(range(500).stream().map(x -> x * 7).toList());
            assertThat(engine.tasksPerMember()).containsOnlyKeys(members.uuids());
            assertThat(engine.parallelism()).isPositive();
            assertThat(engine.toString()).contains(members.clusterName());
        }
    }

    @Test
    void shouldRefuseAPoolSizeOnAClientSayingWhereToConfigureIt() {
        assertThatThrownBy(() -> HazelcastEngine.builder(client).poolSize(4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'poolSize' applies to members only")
                .hasMessageContaining("executor-service.parfor.pool-size");
    }

    @Test
    void shouldApplyTheAllowListToResultsAClientReads() {
        HazelcastEngine engine = HazelcastEngine.create(client);
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            LoopResult<Object> result = parfor.loop("level")
                    .chunkSize(1)
                    .onError(ErrorPolicy.COLLECT)
                    .run(List.of(1, 2), x -> x == 1 ? (Object) Level.INFO : (Object) x);

            assertThat(result.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.index()).isZero();
                assertThat(failure.error()).hasStackTraceContaining("java.util.logging.Level");
                assertThat(failure.error()).hasStackTraceContaining("allow-list of Hazelcast client");
            });
        }
    }

    @Test
    void shouldReadResultsOfAllowedPackagesOnAClient() {
        HazelcastEngine engine = HazelcastEngine.builder(client)
                .allowedPackages(List.of("java.util.logging"))
                .build();
        try (ParallelFor parfor = ParallelFor.create(engine)) {
            assertThat(parfor.map(List.of(1), x -> Level.INFO)).containsExactly(Level.INFO);
        }
    }
}
