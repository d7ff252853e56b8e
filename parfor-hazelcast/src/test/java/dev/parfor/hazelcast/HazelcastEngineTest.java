package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import dev.parfor.ErrorPolicy;
import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.LoopOutcome;
import dev.parfor.LoopResult;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.Progress;
import dev.parfor.RunningLoop;
import dev.parfor.TaskFailure;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop contract on a cluster of two members in this JVM. Bodies are serializable lambdas; what they must share
 * with the test (counters, latches) lives in static fields, which both members see because they run in this JVM.
 * {@code @Timeout} is a hang guard, not a timing assertion.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HazelcastEngineTest {

    private static TestCluster cluster;

    // Shared with the bodies, which run on the members' threads in this JVM.
    static final Map<Integer, AtomicInteger> RUNS = new ConcurrentHashMap<>();
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
        RUNS.clear();
        INTERRUPTED.set(0);
        engine = HazelcastEngine.builder(cluster.first()).poolSize(4).build();
        listeners.clear();
        parfor = ParallelFor.builder()
                .engine("hazelcast", engine)
                .listener(new LoopListener() {
                    @Override
                    public void loopStarted(LoopInfo loop) {
                        listeners.forEach(l -> l.loopStarted(loop));
                    }

                    @Override
                    public void tasksEnded(LoopInfo loop, dev.parfor.TaskOutcome outcome, int count, long nanos) {
                        listeners.forEach(l -> l.tasksEnded(loop, outcome, count, nanos));
                    }

                    @Override
                    public void loopFinished(
                            LoopInfo loop, LoopOutcome outcome, @Nullable Throwable error, Progress progress) {
                        listeners.forEach(l -> l.loopFinished(loop, outcome, error, progress));
                    }
                })
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

    // --- ordering and results --------------------------------------------------------------------------------------

    @Test
    void shouldKeepInputOrderAcrossMembersAndCountTasksPerMember() {
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
    void shouldKeepNullResultsAndRunVoidBodies() {
        List<@Nullable String> results = parfor.map(range(10), x -> x % 2 == 0 ? null : "odd" + x);
        assertThat(results).containsExactly(null, "odd1", null, "odd3", null, "odd5", null, "odd7", null, "odd9");

        parfor.loop()
                .forEach(
                        range(200),
                        x -> RUNS.computeIfAbsent(x, k -> new AtomicInteger()).incrementAndGet());
        assertThat(RUNS).hasSize(200);
    }

    @Test
    void shouldRunIndexedProductAndStreamForms() {
        assertThat(parfor.loop().mapIndexed(List.of("x", "y", "z"), (i, s) -> i + s))
                .containsExactly("0x", "1y", "2z");
        assertThat(parfor.loop().product(List.of(1, 2), List.of(10, 20, 30), (a, b) -> a * b))
                .containsExactly(10, 20, 30, 20, 40, 60);
        assertThat(parfor.loop()
                        .mapChunks(
                                range(10),
                                3,
                                chunk -> chunk.stream().map(x -> x * 2).toList()))
                .isEqualTo(range(10).stream().map(x -> x * 2).toList());
        assertThat(parfor.loop()
                        .invoke(
                                new Calculator(),
                                "add",
                                List.of(Map.of("a", 1, "b", 2), List.of(5, 6)),
                                Map.of("scale", 2)))
                .containsExactly(6, 22);
        assertThat(parfor.map(Stream.iterate(0, x -> x < 2000, x -> x + 1), x -> x + 1))
                .isEqualTo(range(2000).stream().map(x -> x + 1).toList());
        try (Stream<Integer> stream = parfor.loop("stream").stream(range(5000).stream(), x -> x * 2)) {
            assertThat(stream.toList())
                    .isEqualTo(range(5000).stream().map(x -> x * 2).toList());
        }
    }

    @Test
    void shouldBatchTinyBodiesAutomaticallyAndHonourAFixedChunkSize() {
        AtomicInteger chunks = new AtomicInteger();
        listeners.add(new LoopListener() {
            @Override
            public void tasksEnded(LoopInfo loop, dev.parfor.TaskOutcome outcome, int count, long nanos) {
                chunks.incrementAndGet();
            }
        });

        assertThat(parfor.loop("tiny").map(range(100_000), x -> x + 1)).hasSize(100_000);
        assertThat(chunks.get()).as("chunks for 100,000 tiny inputs").isLessThan(10_000);
        chunks.set(0);
        assertThat(parfor.loop("fixed").chunkSize(1000).map(range(20_000), x -> x + 1))
                .hasSize(20_000);
        assertThat(chunks.get()).isEqualTo(20);
    }

    @Test
    void shouldStreamInCompletionOrderAndStopTheLoopWhenAStreamIsClosedEarly() {
        try (Stream<Integer> stream = parfor.loop("as-completed").chunkSize(1).streamAsCompleted(range(300), x -> {
            sleepRandomly(2);
            return x;
        })) {
            assertThat(stream.toList()).containsExactlyInAnyOrderElementsOf(range(300));
        }

        try (Stream<Long> results = parfor.loop("closed-early").chunkSize(1).stream(
                java.util.stream.LongStream.range(0, 1_000_000).boxed(), x -> x)) {
            assertThat(results.limit(10).toList()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        }
        assertThat(parfor.running()).isEmpty();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(engine.activeCount()).isZero());
        assertThat(cluster.first().getMap(MemberSide.PAYLOADS).size()).isZero();
    }

    @Test
    void shouldCancelTheLoopAndItsRemoteTasksWhenTheCallerIsInterrupted() throws Exception {
        latch = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                parfor.loop("interrupted").chunkSize(1).forEach(range(4), x -> {
                    latch.countDown();
                    try {
                        Thread.sleep(TimeUnit.HOURS.toMillis(1));
                    } catch (InterruptedException e) {
                        INTERRUPTED.incrementAndGet();
                        throw e;
                    }
                });
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        latch.await();

        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(20));

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(ParallelForException.class);
        assertThat(((ParallelForException) thrown.get()).outcome()).isEqualTo(LoopOutcome.CANCELLED);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(INTERRUPTED.get()).isPositive());
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(engine.activeCount()).isZero());
    }

    /** A serializable target for invoke: public, with named parameters (the build compiles with -parameters). */
    public static final class Calculator implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        public int add(int a, int b, int scale) {
            return (a + b) * scale;
        }
    }

    // --- failures ----------------------------------------------------------------------------------------------------

    @Test
    void shouldFailFastNamingTheLoopIndexAndInputWithTheOriginalCause() {
        ParallelForException error = catchThrowableOfType(
                ParallelForException.class,
                () -> parfor.loop("checks").chunkSize(1).map(range(100), x -> {
                    if (x == 42) {
                        throw new IOException("disk on fire for " + x);
                    }
                    return x;
                }));

        assertThat(error.getMessage()).contains("'checks'", "#42", "(42)", "disk on fire for 42");
        assertThat(error.getCause()).isInstanceOf(IOException.class).hasMessage("disk on fire for 42");
        assertThat(error.getCause().getStackTrace()[0].getClassName())
                .startsWith(getClass().getName());
        assertThat(error.outcome()).isEqualTo(LoopOutcome.FAILURE);
        assertThat(error.failures()).extracting(TaskFailure::index).containsExactly(42L);
    }

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
    void shouldCollectEveryFailureAtItsIndexAndFillFallbacks() {
        LoopResult<Integer> result = parfor.loop("collect")
                .onError(ErrorPolicy.COLLECT)
                .run(range(1000), x -> {
                    RUNS.computeIfAbsent(x, k -> new AtomicInteger()).incrementAndGet();
                    if (x % 100 == 7) {
                        throw new IllegalStateException("bad " + x);
                    }
                    return x;
                });

        assertThat(RUNS).hasSize(1000);
        assertThat(result.failures())
                .extracting(TaskFailure::index)
                .containsExactly(7L, 107L, 207L, 307L, 407L, 507L, 607L, 707L, 807L, 907L);
        assertThat(result.failures()).allSatisfy(f -> {
            assertThat(f.input()).isEqualTo((int) f.index());
            assertThat(f.error()).isInstanceOf(IllegalStateException.class).hasMessage("bad " + f.index());
        });
        assertThat(result.valuesOr(-1).get(7)).isEqualTo(-1);
        assertThat(result.values().get(8)).isEqualTo(8);
    }

    @Test
    void shouldRetryOnlyTheFailedInputAndCountAttempts() {
        List<Integer> results = parfor.loop("retries")
                .retries(3, Duration.ofMillis(1))
                .map(range(50), x -> {
                    int attempt =
                            RUNS.computeIfAbsent(x, k -> new AtomicInteger()).incrementAndGet();
                    if (x == 13 && attempt < 3) {
                        throw new IOException("flaky " + attempt);
                    }
                    return x;
                });

        assertThat(results).isEqualTo(range(50));
        assertThat(RUNS.get(13)).hasValue(3);
        assertThat(RUNS.entrySet())
                .filteredOn(e -> e.getKey() != 13)
                .allSatisfy(e -> assertThat(e.getValue()).hasValue(1));
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
                .hasMessage("'multiple' must be at least 1.5 but was 1.2; use noStragglerReruns() to turn re-runs off");
        assertThatThrownBy(() -> builder.stragglers(3, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'minimum' must be positive but was PT0S");
    }

    @Test
    void shouldCarryTheCallersMdcToTheMembersAndRestoreTheirOwnAfterwards() {
        org.slf4j.MDC.put("requestId", "r-42");
        List<@Nullable String> seen;
        try {
            seen = parfor.loop("mdc").chunkSize(1).map(range(40), x -> org.slf4j.MDC.get("requestId"));
        } finally {
            org.slf4j.MDC.remove("requestId");
        }
        List<@Nullable String> afterwards =
                parfor.loop("no-mdc").chunkSize(1).map(range(40), x -> org.slf4j.MDC.get("requestId"));

        assertThat(seen).hasSize(40).containsOnly("r-42");
        assertThat(afterwards).hasSize(40).containsOnlyNulls();
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

    @Test
    void shouldStopRunningTasksOnEveryMemberAtTheLoopDeadline() {
        latch = new CountDownLatch(4);
        ParallelForException error = catchThrowableOfType(
                ParallelForException.class,
                () -> parfor.loop("deadline")
                        .chunkSize(1)
                        .timeout(Duration.ofMillis(500))
                        .forEach(range(4), x -> {
                            latch.countDown();
                            try {
                                Thread.sleep(TimeUnit.HOURS.toMillis(1));
                            } catch (InterruptedException e) {
                                INTERRUPTED.incrementAndGet();
                                throw e;
                            }
                        }));

        assertThat(error.outcome()).isEqualTo(LoopOutcome.TIMEOUT);
        assertThat(error.getCause()).isInstanceOf(TimeoutException.class);
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(INTERRUPTED).hasValue((int) (4 - latch.getCount())));
        assertThat(INTERRUPTED.get()).isPositive();
    }

    @Test
    void shouldFailATaskThatOverrunsItsTaskTimeoutOnAMemberAndRunTheRestOfItsChunk() {
        LoopResult<Integer> result = parfor.loop("task-timeout")
                .onError(ErrorPolicy.COLLECT)
                .chunkSize(3)
                .taskTimeout(Duration.ofMillis(200))
                .run(range(6), x -> {
                    if (x == 1) {
                        try {
                            Thread.sleep(TimeUnit.HOURS.toMillis(1));
                        } catch (InterruptedException e) {
                            INTERRUPTED.incrementAndGet();
                            throw e;
                        }
                    }
                    return x;
                });

        assertThat(result.failures()).singleElement().satisfies(f -> {
            assertThat(f.index()).isEqualTo(1);
            assertThat(f.error()).isInstanceOf(TimeoutException.class).hasMessageContaining("PT0.2S");
        });
        assertThat(result.values()).containsExactly(0, null, 2, 3, 4, 5);
        assertThat(INTERRUPTED).hasValue(1);
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
        assertThat(cluster.first().getMap(MemberSide.PAYLOADS).size()).isZero();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(cluster.members())
                        .allSatisfy(member -> assertThat(cachedLoops(member)).isZero()));
    }

    @Test
    void shouldLeaveNothingInTheClusterAfterManyLoops() {
        for (int i = 0; i < 50; i++) {
            int offset = i;
            assertThat(parfor.map(range(20), List.of(offset), (x, ctx) -> x + ctx.get(0)))
                    .hasSize(20)
                    .startsWith(offset);
        }
        assertThat(cluster.first().getMap(MemberSide.PAYLOADS).size()).isZero();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(cluster.members())
                        .allSatisfy(member -> assertThat(cachedLoops(member)).isZero()));
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
    void shouldReportProgressRunningLoopsAndEvents() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        List<Progress> reports = new CopyOnWriteArrayList<>();
        listeners.add(new LoopListener() {
            @Override
            public void loopStarted(LoopInfo loop) {
                events.add("started " + loop.name() + " on " + loop.engine() + " " + loop.engineType());
            }

            @Override
            public void loopFinished(LoopInfo loop, LoopOutcome outcome, @Nullable Throwable error, Progress progress) {
                events.add("finished " + loop.name() + " " + outcome + " " + progress.done());
            }
        });
        latch = new CountDownLatch(1);
        Thread caller = new Thread(() -> parfor.loop("watched")
                .chunkSize(1)
                .progress(reports::add, Duration.ofMillis(10))
                .forEach(range(20), x -> {
                    if (x == 5) {
                        latch.await();
                    }
                }));
        caller.start();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> parfor.running().stream()
                        .map(RunningLoop::progress)
                        .anyMatch(p -> p.loop().equals("watched") && p.done() >= 10));
        Progress running = parfor.running().get(0).progress();
        assertThat(running.total()).hasValue(20);
        assertThat(running.finished()).isFalse();
        assertThat(engine.activeCount()).isPositive();
        latch.countDown();
        caller.join(TimeUnit.SECONDS.toMillis(20));

        assertThat(parfor.running()).isEmpty();
        Progress last = reports.get(reports.size() - 1);
        assertThat(last.finished()).isTrue();
        assertThat(last.done()).isEqualTo(20);
        assertThat(events).containsExactly("started watched on hazelcast hazelcast", "finished watched SUCCESS 20");
        assertThat(engine.activeCount()).isZero();
    }

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
