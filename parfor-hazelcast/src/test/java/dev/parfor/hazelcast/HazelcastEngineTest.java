package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import dev.parfor.ErrorPolicy;
import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.LoopResult;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.TaskFailure;
import dev.parfor.contract.PortableContract;
import dev.parfor.spi.Engine;
import dev.parfor.spi.Placement;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What is particular to the Hazelcast engine, on a cluster of two members in this JVM: how tasks spread over the
 * members, cancellation across members, retries and re-runs on another member, the payload and context in the
 * cluster, serialization and the allow-list, the engine's own settings. The loop contract itself runs on this engine
 * in {@link HazelcastPortableContractTest}. Bodies are serializable lambdas; what they must share with the test
 * (counters, latches) lives in static fields, which both members see because they run in this JVM. {@code @Timeout}
 * is a hang guard, not a timing assertion.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HazelcastEngineTest {

    private static TestCluster cluster;

    // Shared with the bodies, which run on the members' threads in this JVM.
    static final AtomicInteger INTERRUPTED = new AtomicInteger();
    static volatile CountDownLatch latch = new CountDownLatch(0);
    static volatile String brokenMember = "no member";
    static volatile CountDownLatch frozen = new CountDownLatch(0);

    private HazelcastEngine engine;
    private ParallelFor parfor;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(2);
    }

    @AfterAll
    static void stopCluster() {
        cluster.closeLeavingNoMember();
    }

    /** Listeners of the test at hand, behind the one the ParallelFor was built with. */
    private final List<LoopListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void createEngine() {
        INTERRUPTED.set(0);
        engine = HazelcastEngine.builder(cluster.first()).poolSize(4).build();
        listeners.clear();
        parfor = ParallelFor.builder()
                .engine("hazelcast", engine)
                .listener(PortableContract.forwardingTo(listeners))
                .build();
    }

    @AfterEach
    void closeEngine() {
        parfor.close();
        latch = new CountDownLatch(0);
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static void sleepRandomly(int maxMillis) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextInt(maxMillis + 1));
    }

    // --- spreading over the members ---------------------------------------------------------------------------------

    @Test
    void shouldSpreadTasksOverBothMembersAndCountThemPerMember() {
        List<Integer> results = parfor.loop("order").chunkSize(1).map(range(300), x -> {
            sleepRandomly(3);
            return x * 10;
        });

        assertThat(results).isEqualTo(range(300).stream().map(x -> x * 10).toList());
        Map<String, Long> perMember = engine.tasksPerMember();
        assertThat(perMember).hasSize(2);
        assertThat(perMember.values()).allSatisfy(count -> assertThat(count).isPositive());
        assertThat(perMember.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(300);
    }

    @Test
    void shouldSendEachMemberAnEqualShareOfTheLoopsInputs() {
        // 80 chunks left to the hash of their keys would split unevenly in most runs (40/40 in about one in eleven).
        List<Integer> results = parfor.loop("even").chunkSize(10).map(range(800), x -> x + 1);

        assertThat(results).isEqualTo(range(800).stream().map(x -> x + 1).toList());
        assertThat(engine.tasksPerMember()).hasSize(2);
        assertThat(engine.tasksPerMember().values()).containsExactly(400L, 400L);
    }

    @Test
    void shouldBatchTinyBodiesAutomatically() {
        AtomicInteger chunks = new AtomicInteger();
        listeners.add(new LoopListener() {
            @Override
            public void tasksEnded(LoopInfo loop, dev.parfor.Outcome outcome, int count, long nanos) {
                chunks.incrementAndGet();
            }
        });

        assertThat(parfor.loop("tiny").map(range(100_000), x -> x + 1)).hasSize(100_000);
        assertThat(chunks.get()).as("chunks for 100,000 tiny inputs").isLessThan(10_000);
    }

    // --- failures across members -------------------------------------------------------------------------------------

    @Test
    void shouldStopTheOtherMembersTasksWhenALoopFailsFast() {
        latch = new CountDownLatch(3);
        assertThatThrownBy(() -> parfor.loop("fail-fast")
                        .chunkSize(1)
                        .parallelism(4)
                        .forEach(range(4), x -> {
                            if (x == 0) {
                                latch.await();
                                throw new IllegalArgumentException("bad input 0");
                            }
                            latch.countDown();
                            try {
                                Thread.sleep(TimeUnit.MINUTES.toMillis(10));
                            } catch (InterruptedException e) {
                                INTERRUPTED.incrementAndGet();
                                throw e;
                            }
                        }))
                .isInstanceOf(ParallelForException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(INTERRUPTED).hasValue(3));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                cluster.first().getMap(MemberSide.CANCELLED).size())
                        .isZero());
    }

    @Test
    void shouldRetryAnInputOnAnotherMemberThanTheOneItFailedOn() {
        brokenMember = cluster.first().getName();
        try {
            List<Integer> results = parfor.loop("broken-member")
                    .chunkSize(1)
                    .retries(1, Duration.ofMillis(1))
                    .map(range(40), x -> {
                        if (Thread.currentThread().getName().contains(brokenMember)) {
                            throw new IllegalStateException("this member is broken");
                        }
                        return x;
                    });

            assertThat(results).isEqualTo(range(40));
        } finally {
            brokenMember = "no member";
        }
    }

    @Test
    void shouldRunChunksStuckOnAFrozenMemberAgainOnAnotherMemberAndDeliverEachResultOnce() {
        brokenMember = cluster.first().getName();
        frozen = new CountDownLatch(1);
        HazelcastEngine rerunning = HazelcastEngine.builder(cluster.first())
                .stragglers(2, Duration.ofMillis(300))
                .build();
        try (ParallelFor rerunningParfor =
                ParallelFor.builder().engine("hazelcast", rerunning).build()) {
            List<Integer> results = rerunningParfor
                    .loop("stragglers")
                    .chunkSize(1)
                    .map(range(100), x -> {
                        if (x % 10 == 9 && Thread.currentThread().getName().contains(brokenMember)) {
                            frozen.await(); // this member is frozen for these inputs until the test ends
                        }
                        Thread.sleep(2);
                        return x;
                    });

            assertThat(results).isEqualTo(range(100));
            assertThat(rerunning.stragglerReruns()).isPositive();
        } finally {
            frozen.countDown();
            brokenMember = "no member";
        }
    }

    @Test
    void shouldRefuseBadStragglerSettings() {
        HazelcastEngine.Builder builder = HazelcastEngine.builder(cluster.first());
        assertThatThrownBy(() -> builder.stragglers(1.2, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'multiple' must be a finite number of at least 1.5 but was 1.2;"
                        + " use noStragglerReruns() to turn re-runs off");
        assertThatThrownBy(() -> builder.stragglers(3, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "'minimum' must be positive but was PT0S; pass the shortest time a chunk is out before it is re-run,"
                                + " such as Duration.ofSeconds(2)");
    }

    @Test
    void shouldStoreALostPayloadAgainOnceNotOncePerChunkThatMissedIt() {
        // Drops the loop's payload from the cluster as soon as it is stored, before any member has read it.
        Engine losing = new Engine() {
            @Override
            public String type() {
                return engine.type();
            }

            @Override
            public int parallelism() {
                return engine.parallelism();
            }

            @Override
            public Placement placement() {
                return Placement.REMOTE;
            }

            @Override
            public void execute(dev.parfor.spi.Chunk chunk) {
                engine.execute(chunk);
            }

            @Override
            public void loopStarting(LoopInfo loop, dev.parfor.spi.Chunk.Task task, @Nullable Object context) {
                engine.loopStarting(loop, task, context);
                cluster.first().getMap(MemberSide.PAYLOADS).delete(loop.id());
            }

            @Override
            public void loopEnded(LoopInfo loop) {
                engine.loopEnded(loop);
            }
        };
        try (ParallelFor losingParfor =
                ParallelFor.builder().engine("hazelcast", losing).build()) {
            List<Integer> results =
                    losingParfor.loop("lost").chunkSize(1).map(range(200), List.of(5), (x, ctx) -> x + ctx.get(0));

            assertThat(results).isEqualTo(range(200).stream().map(x -> x + 5).toList());
        }
        assertThat(engine.resubmissions()).as("chunks that missed the payload").isGreaterThan(1);
        assertThat(engine.restores()).isEqualTo(1);
    }

    // --- context -----------------------------------------------------------------------------------------------------

    @Test
    void shouldDeserializeTheContextOncePerMemberAndRemoveItWhenTheLoopEnds() {
        CountingContext.READS.set(0);
        long readsBefore = contextsRead();
        CountingContext context = new CountingContext(IntStream.range(0, 10_000).toArray());

        List<Integer> results =
                parfor.loop("context").chunkSize(1).map(range(3000), context, (x, ctx) -> ctx.values()[x] * 2);

        assertThat(results).isEqualTo(range(3000).stream().map(x -> x * 2).toList());
        assertThat(engine.tasksPerMember()).hasSize(2);
        // Once per member for 3,000 tasks: neither per task nor per chunk.
        assertThat(CountingContext.READS).hasValue(2);
        assertThat(contextsRead() - readsBefore).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(cluster.first().getMap(MemberSide.PAYLOADS).size()).isZero();
            assertThat(cluster.members())
                    .allSatisfy(member -> assertThat(cachedLoops(member)).isZero());
        });
    }

    @Test
    void shouldLeaveNothingInTheClusterAfterManyLoops() {
        for (int i = 0; i < 50; i++) {
            int offset = i;
            assertThat(parfor.map(range(20), List.of(offset), (x, ctx) -> x + ctx.get(0)))
                    .hasSize(20)
                    .startsWith(offset);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(cluster.first().getMap(MemberSide.PAYLOADS).size()).isZero();
            assertThat(cluster.members())
                    .allSatisfy(member -> assertThat(cachedLoops(member)).isZero());
        });
    }

    private static long contextsRead() {
        long total = 0;
        for (HazelcastInstance member : cluster.members()) {
            MemberSide side = MemberSide.peek(member);
            total += side == null ? 0 : side.contextsRead();
        }
        return total;
    }

    private static int cachedLoops(HazelcastInstance member) {
        MemberSide side = MemberSide.peek(member);
        return side == null ? 0 : side.cachedLoops();
    }

    /** A context that counts how often it is deserialized. */
    static final class CountingContext implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        static final AtomicInteger READS = new AtomicInteger();

        private final int[] values;

        CountingContext(int[] values) {
            this.values = values;
        }

        int[] values() {
            return values;
        }

        @Serial
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            READS.incrementAndGet();
        }
    }

    // --- serializability ---------------------------------------------------------------------------------------------

    @Test
    void shouldRefuseABodyThatDoesNotSerializeBeforeSendingAnything() {
        Object notSerializable = new Object();

        assertThatThrownBy(() -> parfor.map(range(3), x -> x + notSerializable.hashCode()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("engine 'hazelcast' needs a serializable loop body")
                .hasMessageContaining("static method reference")
                .hasMessageContaining("record")
                .hasRootCauseInstanceOf(NotSerializableException.class);
        assertThat(cluster.first().getMap(MemberSide.PAYLOADS).size()).isZero();
        assertThat(engine.tasksPerMember()).isEmpty();
    }

    @Test
    void shouldRefuseAContextThatDoesNotSerializeSayingHowToFixIt() {
        assertThatThrownBy(() -> parfor.map(range(3), new Object(), (x, ctx) -> x))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a serializable context")
                .hasMessageContaining("java.lang.Object")
                .hasMessageContaining("record or class implementing java.io.Serializable");
        assertThat(cluster.first().getMap(MemberSide.PAYLOADS).size()).isZero();
    }

    @Test
    void shouldReportAnInputOrResultThatDoesNotSerializeAtItsIndex() {
        List<Object> inputs = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        inputs.set(2, new Object());

        LoopResult<Object> result = parfor.loop("unsendable")
                .onError(ErrorPolicy.COLLECT)
                .chunkSize(5)
                .run(inputs, x -> x.equals(3) ? new Object() : x);

        assertThat(result.failures()).extracting(TaskFailure::index).containsExactly(2L, 3L);
        assertThat(result.failures().get(0).error())
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("input #2")
                .hasMessageContaining("serializable inputs");
        assertThat(result.failures().get(1).error())
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("result of input #3")
                .hasMessageContaining("serializable results");
        assertThat(result.values()).containsExactly(0, 1, null, null, 4);
    }

    @Test
    void shouldFailOnlyTheIndexOfAnInputOrResultTheAllowListRefuses() {
        // java.util.logging is not on the members' allow-list: neither as an input nor as a result.
        List<Object> inputs = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
        inputs.set(1, java.util.logging.Level.INFO);

        LoopResult<Object> result = parfor.loop("refused")
                .onError(ErrorPolicy.COLLECT)
                .chunkSize(3)
                .run(inputs, x -> x.equals(4) ? (Object) java.util.logging.Level.WARNING : x);

        assertThat(result.failures()).extracting(TaskFailure::index).containsExactly(1L, 4L);
        assertThat(result.failures().get(0).error())
                .hasMessageContaining("java.util.logging.Level")
                .hasMessageContaining("allow-list of Hazelcast member");
        assertThat(result.failures().get(1).error())
                .hasMessageContaining("result of input #4")
                .hasStackTraceContaining("allow-list of Hazelcast member");
        assertThat(result.values()).containsExactly(0, null, 2, 3, null, 5);
    }

    // --- progress, events, engine ------------------------------------------------------------------------------------

    @Test
    void shouldBeARemoteEngineWhoseParallelismCoversEveryMembersPool() {
        assertThat(engine.placement()).isEqualTo(dev.parfor.spi.Placement.REMOTE);
        assertThat(engine.type()).isEqualTo("hazelcast");
        // Twice, per member, the smaller of its pool (4) and the processor count it publishes.
        int perMember = Math.min(4, Runtime.getRuntime().availableProcessors());
        assertThat(engine.parallelism()).isEqualTo(2 * perMember * 2);
        assertThat(cluster.first().getCluster().getLocalMember().getAttribute(ParforHazelcast.PROCESSORS_ATTRIBUTE))
                .isEqualTo(Integer.toString(Runtime.getRuntime().availableProcessors()));
        assertThat(engine.executorName()).isEqualTo(HazelcastEngine.DEFAULT_EXECUTOR_NAME);
    }

    @Test
    void shouldKeepTwiceTheMembersProcessorsInFlightWhenThePoolIsLarger() {
        // The executor's default pool of 16 threads: the processors, not the pool, bound the chunks in flight.
        HazelcastEngine defaults = HazelcastEngine.builder(cluster.first())
                .executorName("parfor-default-pool")
                .build();
        try {
            int perMember = Math.min(16, Runtime.getRuntime().availableProcessors());
            assertThat(defaults.parallelism()).isEqualTo(2 * perMember * 2);
        } finally {
            defaults.close();
        }
    }

    @Test
    void shouldRefuseLoopsOnceClosed() {
        engine.close();

        assertThatThrownBy(() -> parfor.map(range(3), x -> x)).hasMessageContaining("hazelcast engine is closed");
    }

    @Test
    void shouldRejectBadBuilderValuesNamingTheParameter() {
        HazelcastInstance member = cluster.first();
        assertThatThrownBy(() -> HazelcastEngine.builder(member).maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'maxAttempts' must be greater than 0 but was 0");
        assertThatThrownBy(() -> HazelcastEngine.builder(member).poolSize(-2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'poolSize' must be greater than 0 but was -2");
        assertThatThrownBy(() -> HazelcastEngine.builder(member).executorName(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'executorName' must not be blank but was ' '");
    }
}
