package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parfor.contract.PortableContract;
import dev.parfor.spi.Engine;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The portable contract on the Hazelcast engine, on a cluster of two members in this JVM: every body is serialized,
 * sent to a member and run on its executor's threads, and reaches the test's probe through the statics both members
 * share with the test. After each test the cluster holds nothing of the test's loops.
 */
class HazelcastPortableContractTest extends PortableContract {

    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(2);
    }

    @AfterAll
    static void stopCluster() {
        cluster.closeLeavingNoMember();
    }

    @Override
    protected Engine newEngine() {
        return HazelcastEngine.builder(cluster.first()).poolSize(4).build();
    }

    @Override
    protected String engineName() {
        return "hazelcast";
    }

    /** Each member deserializes the context once for the loop. */
    @Override
    protected int contextCopies() {
        return cluster.members().size();
    }

    /**
     * Every test ran its bodies on the members (not on the caller), and afterwards the members run none of them and
     * the cluster holds neither a payload nor a cancellation flag of the test's loops.
     */
    @AfterEach
    void clusterHoldsNothingOfTheTestsLoops() {
        HazelcastEngine hazelcast = (HazelcastEngine) engine;
        assertThat(hazelcast.tasksPerMember()).as("tasks run per member").isNotEmpty();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(hazelcast.activeCount()).isZero();
            assertThat(cluster.first().getMap(MemberSide.PAYLOADS).size()).isZero();
            assertThat(cluster.first().getMap(MemberSide.CANCELLED).size()).isZero();
        });
    }
}
