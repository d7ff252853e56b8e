package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.TaskFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.MDC;

/**
 * The behaviour every engine must show. Sees only the public API. {@code @Timeout}s are hang guards for
 * deadlock-prone cases, far above any expected run time; they assert no timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParallelForContractTest {

    static List<EngineCase> engines() {
        return EngineCase.all();
    }

    /**
     * The engines that can run two bodies of one loop at once. Only tests whose bodies wait for each other use it:
     * on the sequential and inline engines the second body would never start while the first one waits.
     */
    static List<EngineCase> concurrentEngines() {
        return EngineCase.concurrentOnes();
    }

    private static ParallelFor parfor(EngineCase engine) {
        return ParallelFor.builder()
                .engine(engine.name(), engine.factory().get())
                .build();
    }

    private static ParallelFor parfor(EngineCase engine, LoopListener listener) {
        return ParallelFor.builder()
                .engine(engine.name(), engine.factory().get())
                .listener(listener)
                .build();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static void sleepRandomly(int maxMillis) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextInt(maxMillis + 1));
    }

    // --- ordering and shapes
    // ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("engines")
    void shouldKeepNullResultsAndYieldNullsForVoidBodies(EngineCase engine) {
        try (ParallelFor parfor = parfor(engine)) {
            List<@Nullable String> results = parfor.map(range(10), x -> x % 2 == 0 ? null : "odd" + x);
            assertThat(results).hasSize(10).containsNull();
            assertThat(results.get(0)).isNull();
            assertThat(results.get(1)).isEqualTo("odd1");
            Set<Integer> seen = ConcurrentHashMap.newKeySet();
            parfor.loop().forEach(range(500), seen::add);
            assertThat(seen).hasSize(500);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldAcceptIterablesIteratorsAndStreamsOfUnknownLength(EngineCase engine) {
        try (ParallelFor parfor = parfor(engine)) {
            Iterable<Integer> iterable = () -> range(1000).iterator();
            Iterator<Integer> iterator = range(1000).iterator();
            Stream<Integer> stream = Stream.iterate(0, x -> x < 1000, x -> x + 1);
            List<Integer> expected = range(1000).stream().map(x -> x + 1).toList();
            assertThat(parfor.map(iterable, x -> x + 1)).isEqualTo(expected);
            assertThat(parfor.loop("iterator").map(() -> iterator, x -> x + 1)).isEqualTo(expected);
            assertThat(parfor.map(stream::iterator, x -> x + 1)).isEqualTo(expected);
            assertThat(parfor.map(List.<Integer>of(), x -> x + 1)).isEmpty();
        }
    }

    // --- shared context --------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("engines")
    void shouldGiveEveryTaskTheSameContextInstance(EngineCase engine) {
        try (ParallelFor parfor = parfor(engine)) {
            int[] context = new int[1_000_000];
            Set<Integer> identities = ConcurrentHashMap.newKeySet();
            List<Integer> lengths = parfor.map(range(300), context, (x, ctx) -> {
                identities.add(System.identityHashCode(ctx));
                return ctx.length;
            });
            assertThat(identities).containsExactly(System.identityHashCode(context));
            assertThat(lengths).containsOnly(1_000_000);
        }
    }

    // --- chunking ----------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("engines")
    void shouldBatchTinyBodiesAutomaticallyAndHonourAFixedChunkSize(EngineCase engine) {
        AtomicInteger chunks = new AtomicInteger();
        LoopListener listener = new LoopListener() {
            @Override
            public void tasksEnded(LoopInfo loop, Outcome outcome, int count, long nanos) {
                chunks.incrementAndGet();
            }
        };
        try (ParallelFor parfor = parfor(engine, listener)) {
            List<Integer> inputs = range(200_000);
            parfor.loop("tiny").map(inputs, x -> x + 1);
            assertThat(chunks.get()).as("chunks for 200,000 tiny inputs").isLessThan(20_000);
            chunks.set(0);
            parfor.loop("fixed").chunkSize(1000).map(inputs, x -> x + 1);
            assertThat(chunks.get()).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldRunSlowBodiesOnePerTask(EngineCase engine) {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        LoopListener listener = new LoopListener() {
            @Override
            public void tasksEnded(LoopInfo loop, Outcome outcome, int count, long nanos) {
                sizes.add(count);
            }
        };
        try (ParallelFor parfor = parfor(engine, listener)) {
            parfor.loop("slow").map(range(12), x -> {
                Thread.sleep(5);
                return x;
            });
            assertThat(sizes).hasSize(12).containsOnly(1);
        }
    }

    // --- failures ----------------------------------------------------------------------------------------------------

    @org.junit.jupiter.api.Test
    void shouldStopAtTheFirstFailureOnTheSequentialEngine() {
        try (ParallelFor parfor = ParallelFor.create(dev.parfor.Engines.sequential())) {
            List<Integer> ran = new CopyOnWriteArrayList<>();
            assertThatThrownBy(() -> parfor.loop().forEach(range(10), x -> {
                        ran.add(x);
                        if (x == 3) {
                            throw new IllegalStateException("boom");
                        }
                    }))
                    .isInstanceOf(ParallelForException.class);
            assertThat(ran).containsExactly(0, 1, 2, 3);
        }
    }

    @ParameterizedTest
    @MethodSource("concurrentEngines")
    void shouldInterruptRunningTasksAfterFirstFailure(EngineCase engine) throws Exception {
        try (ParallelFor parfor = parfor(engine)) {
            CountDownLatch blockerStarted = new CountDownLatch(1);
            AtomicBoolean interrupted = new AtomicBoolean();
            assertThatThrownBy(() -> parfor.loop("interrupt")
                            .chunkSize(1)
                            .parallelism(2)
                            .forEach(List.of(0, 1), x -> {
                                if (x == 0) {
                                    blockerStarted.countDown();
                                    try {
                                        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
                                    } catch (InterruptedException e) {
                                        interrupted.set(true);
                                        throw e;
                                    }
                                } else {
                                    blockerStarted.await();
                                    throw new IllegalArgumentException("bad input 1");
                                }
                            }))
                    .isInstanceOf(ParallelForException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
            await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldCollectEveryFailureAtItsIndexAndFillATypedFallback(EngineCase engine) {
        try (ParallelFor parfor = parfor(engine)) {
            Set<Integer> ran = ConcurrentHashMap.newKeySet();
            LoopResult<Integer> result = parfor.loop("collect")
                    .onError(ErrorPolicy.COLLECT)
                    .run(range(1000), x -> {
                        ran.add(x);
                        if (x % 100 == 7) {
                            throw new IllegalStateException("bad " + x);
                        }
                        return x;
                    });
            assertThat(ran).hasSize(1000);
            assertThat(result.failures())
                    .extracting(TaskFailure::index)
                    .containsExactly(7L, 107L, 207L, 307L, 407L, 507L, 607L, 707L, 807L, 907L);
            assertThat(result.failures()).allSatisfy(f -> {
                assertThat(f.input()).isEqualTo((int) f.index());
                assertThat(f.attempts()).isEqualTo(1);
                assertThat(f.error()).hasMessage("bad " + f.index());
            });
            assertThat(result.values()).hasSize(1000);
            assertThat(result.values().get(7)).isNull();
            assertThat(result.valuesOr(-1).get(7)).isEqualTo(-1);
            assertThat(result.values().get(8)).isEqualTo(8);
            assertThatThrownBy(result::orThrow)
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("#7")
                    .satisfies(e -> assertThat(e.getSuppressed()).hasSize(9));
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldRetryOnlyWhatTheRetryPredicateAccepts(EngineCase engine) {
        // Retries without a predicate are in PortableContract; this is the predicate's part.
        try (ParallelFor parfor = parfor(engine)) {
            LoopResult<Integer> exhausted = parfor.loop("retries-exhausted")
                    .onError(ErrorPolicy.COLLECT)
                    .retries(2, Duration.ZERO)
                    .retryOn(e -> e instanceof IOException)
                    .run(List.of(1, 2), x -> {
                        if (x == 1) {
                            throw new IOException("always");
                        }
                        throw new IllegalStateException("never retried");
                    });
            assertThat(exhausted.failures()).extracting(TaskFailure::attempts).containsExactly(3, 1);
        }
    }

    // --- timeouts and cancellation ----------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailATaskThatOverrunsItsTaskTimeoutAndRunTheOthers(EngineCase engine) {
        try (ParallelFor parfor = parfor(engine)) {
            LoopResult<Integer> result = parfor.loop("task-timeout")
                    .onError(ErrorPolicy.COLLECT)
                    .taskTimeout(Duration.ofMillis(100))
                    .run(range(6), x -> {
                        if (x == 2) {
                            Thread.sleep(TimeUnit.HOURS.toMillis(1));
                        }
                        return x;
                    });
            assertThat(result.failures()).singleElement().satisfies(f -> {
                assertThat(f.index()).isEqualTo(2);
                assertThat(f.error()).isInstanceOf(TimeoutException.class).hasMessageContaining("PT0.1S");
            });
            assertThat(result.values()).containsExactly(0, 1, null, 3, 4, 5);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldCancelTheLoopWhenTheCallerIsInterrupted(EngineCase engine) throws Exception {
        try (ParallelFor parfor = parfor(engine)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean flagRestored = new AtomicBoolean();
            CountDownLatch started = new CountDownLatch(1);
            Thread caller = new Thread(() -> {
                try {
                    parfor.loop("interrupted").forEach(range(4), x -> {
                        started.countDown();
                        Thread.sleep(TimeUnit.HOURS.toMillis(1));
                    });
                } catch (Throwable t) {
                    thrown.set(t);
                    flagRestored.set(Thread.currentThread().isInterrupted());
                }
            });
            caller.start();
            started.await();
            caller.interrupt();
            caller.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(caller.isAlive()).isFalse();
            assertThat(thrown.get()).isInstanceOf(ParallelForException.class);
            assertThat(((ParallelForException) thrown.get()).outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(flagRestored).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldStreamLazilyInABoundedWindowAndCancelWhenClosedEarly(EngineCase engine) {
        try (ParallelFor parfor = parfor(engine)) {
            AtomicLong read = new AtomicLong();
            AtomicLong maxAhead = new AtomicLong();
            AtomicLong consumed = new AtomicLong();
            Iterator<Long> lazy = LongStream.range(0, 2_000_000)
                    .peek(i -> {
                        long ahead = read.incrementAndGet() - consumed.get();
                        maxAhead.accumulateAndGet(ahead, Math::max);
                    })
                    .boxed()
                    .iterator();
            long[] expected = {0};
            try (Stream<Long> results = parfor.loop("lazy").stream(() -> lazy, x -> x * 2)) {
                results.forEach(x -> {
                    assertThat(x).isEqualTo(expected[0] * 2);
                    expected[0]++;
                    consumed.incrementAndGet();
                });
            }
            assertThat(expected[0]).isEqualTo(2_000_000);
            assertThat(maxAhead.get()).as("inputs read ahead of the consumer").isLessThanOrEqualTo(70_000);

            AtomicLong ran = new AtomicLong();
            try (Stream<Long> results = parfor.loop("closed-early").chunkSize(1).stream(
                    LongStream.range(0, 1_000_000).boxed()::iterator, x -> {
                        ran.incrementAndGet();
                        return x;
                    })) {
                assertThat(results.limit(10).toList()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            }
            // Closing ended the loop; it had run at most its window of inputs ahead of the ten consumed.
            assertThat(parfor.running()).isEmpty();
            assertThat(ran.get()).isLessThanOrEqualTo(70_000);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldStreamResultsInCompletionOrder(EngineCase engine) {
        try (ParallelFor parfor = parfor(engine)) {
            List<Integer> results;
            try (Stream<Integer> stream = parfor.loop("as-completed")
                    .chunkSize(1)
                    .streamAsCompleted(range(300), x -> {
                        sleepRandomly(2);
                        return x;
                    })) {
                results = stream.toList();
            }
            assertThat(results).containsExactlyInAnyOrderElementsOf(range(300));
        }
    }

    // --- nesting ----------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("engines")
    void shouldCompleteLoopsNestedThreeDeepWithParallelismTwo(EngineCase engine) {
        try (ParallelFor parfor = parfor(engine)) {
            List<Integer> sums = parfor.loop("outer")
                    .parallelism(2)
                    .chunkSize(1)
                    .map(
                            range(4),
                            a -> parfor
                                    .loop("middle")
                                    .parallelism(2)
                                    .chunkSize(1)
                                    .map(
                                            range(4),
                                            b -> parfor
                                                    .loop("inner")
                                                    .parallelism(2)
                                                    .chunkSize(1)
                                                    .map(range(4), c -> {
                                                        Thread.sleep(1);
                                                        return a * 100 + b * 10 + c;
                                                    })
                                                    .stream()
                                                    .mapToInt(Integer::intValue)
                                                    .sum())
                                    .stream()
                                    .mapToInt(Integer::intValue)
                                    .sum());
            assertThat(sums).containsExactly(264, 1864, 3464, 5064);
        }
    }

    // --- context propagation, progress, events, naming --------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("engines")
    void shouldCarryTheCallersMdcIntoTheBody(EngineCase engine) {
        try (ParallelFor parfor = parfor(engine)) {
            MDC.put("request", "r-42");
            try {
                List<String> seen = parfor.loop("mdc").chunkSize(1).map(range(20), x -> MDC.get("request"));
                assertThat(seen).containsOnly("r-42");
            } finally {
                MDC.remove("request");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldNameAnUnnamedLoopAfterItsCallingMethod(EngineCase engine) {
        List<String> names = Collections.synchronizedList(new ArrayList<>());
        LoopListener listener = new LoopListener() {
            @Override
            public void loopStarted(LoopInfo loop) {
                names.add(loop.name());
            }
        };
        try (ParallelFor parfor = parfor(engine, listener)) {
            parfor.map(range(3), x -> x);
            assertThat(names)
                    .containsExactly("parallel-for-contract-test-should-name-an-unnamed-loop-after-its-calling-method");
        }
    }
}
