package dev.parfor.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.parfor.Engines;
import dev.parfor.LimitStats;
import dev.parfor.Outcome;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.RunningLoop;
import dev.parfor.spi.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Operating loops from outside: cancel a running loop, async terminals, limits shared across loops. */
class OperateLoopsTest {

    record Case(String name, Supplier<Engine> engine) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> engines() {
        return Stream.of(
                new Case("fork-join", () -> Engines.forkJoin(2)),
                new Case("virtual", () -> Engines.virtualThreads(8)),
                new Case("sequential", Engines::sequential));
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldCancelARunningLoopFromAnotherThreadLikeACallerInterrupt(Case engine) throws Exception {
        try (ParallelFor parfor = ParallelFor.create(engine.engine().get())) {
            AtomicInteger interrupted = new AtomicInteger();
            CountDownLatch running = new CountDownLatch(1);
            ExecutorService caller = Executors.newSingleThreadExecutor();
            try {
                Future<?> loop =
                        caller.submit(() -> parfor.loop("runaway").chunkSize(1).forEach(range(1000), x -> {
                            running.countDown();
                            try {
                                Thread.sleep(60_000);
                            } catch (InterruptedException e) {
                                interrupted.incrementAndGet();
                                throw e;
                            }
                        }));
                assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
                RunningLoop handle = parfor.running().get(0);
                assertThat(handle.progress().info().name()).isEqualTo("runaway");
                assertThat(handle.options())
                        .containsEntry(
                                "engine", parfor.engines().keySet().iterator().next())
                        .containsEntry("chunkSize", "1")
                        .containsEntry("onError", "FAIL_FAST")
                        .containsEntry("retries", "0")
                        .containsEntry("taskTimeout", "none");
                assertThat(handle.cancel()).isTrue();
                assertThat(handle.cancel()).as("a second cancel").isFalse();
                assertThatThrownBy(() -> loop.get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(ParallelForException.class)
                        .hasMessageContaining("loop 'runaway' was cancelled")
                        .hasMessageContaining("cancelled from outside")
                        .satisfies(e ->
                                assertThat(((ParallelForException) e).outcome()).isEqualTo(Outcome.CANCELLED));
                // The caller returns at once; the interrupted bodies end on their own threads just after.
                await().atMost(Duration.ofSeconds(30)).until(() -> interrupted.get() > 0);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> parfor.running().isEmpty());
            } finally {
                caller.shutdownNow();
            }
        }
    }

    @Test
    void shouldCompleteAnAsyncTerminalWithTheValuesOrTheException() throws Exception {
        try (ParallelFor parfor = ParallelFor.create(Engines.forkJoin(2))) {
            CompletableFuture<List<Integer>> squares = parfor.loop("async").mapAsync(range(100), x -> x * x);
            assertThat(squares.get(30, TimeUnit.SECONDS))
                    .isEqualTo(range(100).stream().map(x -> x * x).toList());

            CompletableFuture<List<Integer>> failing = parfor.loop("async-failing")
                    .mapAsync(range(10), x -> {
                        if (x == 3) {
                            throw new IllegalStateException("no " + x);
                        }
                        return x;
                    });
            assertThatThrownBy(() -> failing.join())
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("loop 'async-failing' failed at input #3");

            CompletableFuture<List<Integer>> collected = parfor.loop("async-collect")
                    .onError(dev.parfor.ErrorPolicy.COLLECT)
                    .mapAsync(range(10), x -> {
                        if (x % 5 == 0) {
                            throw new IllegalStateException("no " + x);
                        }
                        return x;
                    });
            assertThatThrownBy(() -> collected.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(ParallelForException.class, e -> {
                        assertThat(e.outcome()).isEqualTo(Outcome.PARTIAL);
                        assertThat(e.failures()).extracting(f -> f.index()).containsExactly(0L, 5L);
                    });
        }
    }

    @Test
    void shouldCancelTheLoopWhenItsFutureIsCancelled() throws Exception {
        try (ParallelFor parfor = ParallelFor.create(Engines.virtualThreads(4))) {
            AtomicInteger interrupted = new AtomicInteger();
            CountDownLatch running = new CountDownLatch(1);
            CompletableFuture<List<Integer>> future = parfor.loop("async-cancelled")
                    .chunkSize(1)
                    .mapAsync(range(100), x -> {
                        running.countDown();
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            interrupted.incrementAndGet();
                            throw e;
                        }
                        return x;
                    });
            assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(future.cancel(true)).isTrue();
            assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> parfor.running().isEmpty());
            await().atMost(Duration.ofSeconds(30)).until(() -> interrupted.get() > 0);
        }
    }

    @Test
    void shouldKeepTenConcurrentLoopsSharingALimitWithinItsConcurrency() throws Exception {
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("io", Engines.virtualThreads(64))
                .limit("payments-api", 4, 0, 1)
                .build()) {
            AtomicInteger now = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            List<CompletableFuture<List<Integer>>> loops = new ArrayList<>();
            for (int l = 0; l < 10; l++) {
                loops.add(parfor.loop("caller-" + l)
                        .limit("payments-api")
                        .chunkSize(1)
                        .mapAsync(range(20), x -> {
                            most.accumulateAndGet(now.incrementAndGet(), Math::max);
                            try {
                                Thread.sleep(2);
                            } finally {
                                now.decrementAndGet();
                            }
                            return x;
                        }));
            }
            for (CompletableFuture<List<Integer>> loop : loops) {
                assertThat(loop.get(60, TimeUnit.SECONDS)).isEqualTo(range(20));
            }
            assertThat(most.get()).as("calls at once across ten loops").isBetween(1, 4);
            LimitStats stats = parfor.limits().get("payments-api");
            assertThat(stats.acquired()).isEqualTo(200);
            assertThat(stats.inUse()).isZero();
            assertThat(stats.waiting()).isZero();
        }
    }

    @Test
    void shouldHandOutNoMorePermitsThanTheRateAndBurstAllow() {
        double rate = 50;
        int burst = 5;
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("io", Engines.virtualThreads(32))
                .limit("slow-api", 0, rate, burst)
                .build()) {
            long start = System.nanoTime();
            parfor.loop("rated").limit("slow-api").chunkSize(1).forEach(range(150), x -> {});
            double seconds = (System.nanoTime() - start) / 1e9;
            // A token bucket never hands out more than its burst plus the rate times the time elapsed.
            assertThat(150.0).isLessThanOrEqualTo(burst + rate * seconds + 1);
            System.out.printf(
                    "rate limit %.0f/s, burst %d: 150 permits in %.2f s, %.1f/s%n",
                    rate, burst, seconds, 150 / seconds);
        }
    }

    @Test
    void shouldRefuseAnUnknownLimitWhenSetAndABadOneWhenRegistered() {
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("cpu", Engines.forkJoin(2))
                .limit("db", 2, 0, 1)
                .build()) {
            assertThatThrownBy(() -> parfor.loop("l").limit("payments"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown limit 'payments'; known limits: db")
                    .hasMessageContaining("parfor.limits.payments");
        }
        assertThatThrownBy(() -> ParallelFor.builder().limit("x", 0, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit 'x' bounds nothing");
        assertThatThrownBy(() -> ParallelFor.builder().limit("x", -1, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'maxConcurrency' must be 0 or greater but was -1");
        assertThatThrownBy(() -> ParallelFor.builder().limit("x", 1, 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'burst' must be greater than 0 but was 0");
    }

    @Test
    void shouldFailTheLoopClearlyWhenAnEngineCannotDescribeItself() {
        Engine broken = new Engine() {
            @Override
            public String type() {
                return "broken";
            }

            @Override
            public int parallelism() {
                throw new LinkageError("no native library");
            }

            @Override
            public void execute(dev.parfor.spi.Chunk chunk) {
                chunk.run();
            }
        };
        try (ParallelFor parfor = ParallelFor.create(broken)) {
            assertThatThrownBy(() -> parfor.loop("l").map(range(3), x -> x))
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("loop 'l' could not start: engine 'broken' failed to describe itself")
                    .hasCauseInstanceOf(LinkageError.class);
            assertThat(parfor.running()).isEmpty();
        }
    }

    @Test
    void shouldStopRunningInputsOnAPoolItsOwnerShutDownMidLoop() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ParallelFor parfor = ParallelFor.create(Engines.executor(pool, 2))) {
            AtomicInteger startedAfterShutdown = new AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean shutDown = new java.util.concurrent.atomic.AtomicBoolean();
            CountDownLatch started = new CountDownLatch(2);
            CompletableFuture<Void> caller = CompletableFuture.runAsync(() -> parfor.loop("owned-pool")
                    .chunkSize(1)
                    .onError(dev.parfor.ErrorPolicy.COLLECT)
                    .forEach(range(200), x -> {
                        if (shutDown.get()) {
                            startedAfterShutdown.incrementAndGet();
                        }
                        started.countDown();
                        Thread.sleep(20);
                    }));
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            shutDown.set(true);
            pool.shutdownNow();
            assertThatThrownBy(() -> caller.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("loop 'owned-pool'");
            // Workers of the dead pool must not go on taking the loop's inputs themselves (200 would run).
            assertThat(startedAfterShutdown.get())
                    .as("inputs started after shutdownNow()")
                    .isLessThan(10);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRefuseABackoffShapeOutOfRangeAndLeaveTheLoopUnchanged() {
        try (ParallelFor parfor = ParallelFor.create(Engines.forkJoin(2))) {
            var loop = parfor.loop("l");
            assertThatThrownBy(() -> loop.backoff(0.5, Duration.ofSeconds(1), 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'multiplier' must be a finite number of at least 1 but was 0.5");
            assertThatThrownBy(() -> loop.backoff(2, Duration.ofSeconds(1), 1.5))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'jitter' must be between 0 and 1 but was 1.5");
            loop.backoff(2, Duration.ofSeconds(1), 0.5); // refused calls changed nothing
            assertThatThrownBy(() -> loop.backoff(2, Duration.ofSeconds(1), 0.5))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("option 'backoff' is already set");
        }
    }
}
