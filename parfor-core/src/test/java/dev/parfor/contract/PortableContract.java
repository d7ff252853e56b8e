package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.Progress;
import dev.parfor.RunningLoop;
import dev.parfor.TaskFailure;
import dev.parfor.spi.Engine;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/**
 * The loop contract in a form every engine can run, cluster engines included. An engine module extends it and
 * supplies its engine through {@link #newEngine()}.
 *
 * <p>Bodies are serializable lambdas that capture nothing but plain values and the id of the test's {@link Probe};
 * whatever they share with the test (counters, latches, sets) they reach through {@link Probe#of(String)}. They may
 * therefore run on any thread of any member in the test JVM, after a trip through serialization. Every test runs in
 * a thread of its own and is stopped after 30 seconds (a hang guard, not a timing assertion); waits use Awaitility.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class PortableContract {

    /** The {@code ParallelFor} of the test at hand, with the engine as its only (and default) engine. */
    protected ParallelFor parfor;

    /** The engine of the test at hand. */
    protected Engine engine;

    /** The probe of the test at hand; its id is what bodies capture. */
    protected Probe probe;

    /** Listeners of the test at hand, behind the one the {@code ParallelFor} was built with. */
    private final List<LoopListener> listeners = new CopyOnWriteArrayList<>();

    /** A new engine for one test; the {@code ParallelFor} owns it and closes it after the test. */
    protected abstract Engine newEngine();

    /** The name the engine is registered under. */
    protected String engineName() {
        return engine.type();
    }

    /**
     * Whether the engine can run two bodies of one loop at the same time. Tests whose bodies wait for each other
     * run only on such engines.
     */
    protected boolean concurrent() {
        return true;
    }

    /**
     * How many copies of a loop's context the bodies may see at most: one on an engine that hands them the caller's
     * instance, one per member on a cluster engine that deserializes it once per member.
     */
    protected int contextCopies() {
        return 1;
    }

    /**
     * A listener that passes every event to the listeners in {@code listeners} at the time, so that a test can add its
     * own to a {@code ParallelFor} built before it ran.
     */
    public static LoopListener forwardingTo(List<LoopListener> listeners) {
        return new LoopListener() {
            @Override
            public void loopStarted(LoopInfo loop) {
                listeners.forEach(l -> l.loopStarted(loop));
            }

            @Override
            public void tasksEnded(LoopInfo loop, Outcome outcome, int count, long nanos) {
                listeners.forEach(l -> l.tasksEnded(loop, outcome, count, nanos));
            }

            @Override
            public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
                listeners.forEach(l -> l.loopFinished(loop, outcome, error, progress));
            }
        };
    }

    @BeforeEach
    void createParallelFor() {
        probe = Probe.open();
        engine = newEngine();
        parfor = ParallelFor.builder()
                .engine(engineName(), engine)
                .listener(forwardingTo(listeners))
                .build();
    }

    @AfterEach
    void closeParallelFor() {
        probe.close();
        parfor.close();
        listeners.clear();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static void sleepRandomly(int maxMillis) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextInt(maxMillis + 1));
    }

    /** Sleeps until interrupted, counting the interrupt under {@code interrupted} in the probe {@code id}. */
    private static void sleepUntilInterrupted(String id) throws InterruptedException {
        try {
            Thread.sleep(TimeUnit.HOURS.toMillis(1));
        } catch (InterruptedException e) {
            Probe.of(id).counter("interrupted").incrementAndGet();
            throw e;
        }
    }

    // --- ordering, results and terminals ---------------------------------------------------------------------------

    @Test
    void shouldKeepInputOrderWhenTasksFinishOutOfOrder() {
        List<Integer> results = parfor.loop("order").chunkSize(1).map(range(200), x -> {
            sleepRandomly(3);
            return x * 10;
        });

        assertThat(results).isEqualTo(range(200).stream().map(x -> x * 10).toList());
    }

    @Test
    void shouldKeepNullResultsAndRunEveryInputOfAVoidBody() {
        String id = probe.id();

        List<@Nullable String> results = parfor.loop("nulls").map(range(10), x -> x % 2 == 0 ? null : "odd" + x);
        parfor.loop("void").forEach(range(500), x -> Probe.of(id).set("seen").add(x));

        assertThat(results).containsExactly(null, "odd1", null, "odd3", null, "odd5", null, "odd7", null, "odd9");
        assertThat(probe.set("seen")).containsExactlyInAnyOrderElementsOf(range(500));
    }

    @Test
    void shouldRunProductChunkedAndInvokeForms() {
        String id = probe.id();

        assertThat(parfor.loop("pairs").product(List.of(1, 2), List.of(10, 20, 30), (a, b) -> a * b))
                .containsExactly(10, 20, 30, 20, 40, 60);
        List<Integer> doubled = parfor.loop("chunks").mapChunks(range(10), 3, chunk -> {
            Probe.of(id).set("chunks").add(List.copyOf(chunk));
            return chunk.stream().map(x -> x * 2).toList();
        });
        assertThat(doubled).isEqualTo(range(10).stream().map(x -> x * 2).toList());
        assertThat(probe.set("chunks"))
                .hasSize(3)
                .allSatisfy(c -> assertThat((List<?>) c).hasSizeBetween(3, 4));
        assertThat(parfor.loop("invoke")
                        .invoke(
                                new Calculator(),
                                "add",
                                List.of(Map.of("a", 1, "b", 2), List.of(5, 6), Map.of("a", 7)),
                                Map.of("b", 100, "scale", 2)))
                .containsExactly(6, 22, 214);
    }

    /** A serializable target for invoke: public, with named parameters (the build compiles with -parameters). */
    public static final class Calculator implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        public int add(int a, int b, int scale) {
            return (a + b) * scale;
        }
    }

    @Test
    void shouldStreamInInputOrderAndInCompletionOrder() {
        try (Stream<Integer> stream =
                parfor.loop("stream").stream(Stream.iterate(0, x -> x < 3000, x -> x + 1)::iterator, x -> x * 2)) {
            assertThat(stream.toList())
                    .isEqualTo(range(3000).stream().map(x -> x * 2).toList());
        }
        try (Stream<Integer> stream = parfor.loop("as-completed").chunkSize(1).streamAsCompleted(range(300), x -> {
            sleepRandomly(2);
            return x;
        })) {
            assertThat(stream.toList()).containsExactlyInAnyOrderElementsOf(range(300));
        }
    }

    @Test
    void shouldEndTheLoopWhenAStreamIsClosedEarly() {
        try (Stream<Long> results = parfor.loop("closed-early").chunkSize(1).stream(
                LongStream.range(0, 1_000_000).boxed()::iterator, x -> x)) {
            assertThat(results.limit(10).toList()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        }

        assertThat(parfor.running()).isEmpty();
    }

    @Test
    void shouldCompleteMapAsyncWithTheValuesOrTheLoopsError() throws Exception {
        CompletableFuture<List<Integer>> values = parfor.loop("async").mapAsync(range(100), x -> x * 3);
        CompletableFuture<List<Integer>> failing = parfor.loop("async-failing").mapAsync(range(10), x -> {
            if (x == 4) {
                throw new IllegalStateException("bad " + x);
            }
            return x;
        });

        assertThat(values.get(20, TimeUnit.SECONDS))
                .isEqualTo(range(100).stream().map(x -> x * 3).toList());
        ExecutionException error =
                catchThrowableOfType(ExecutionException.class, () -> failing.get(20, TimeUnit.SECONDS));
        assertThat(error.getCause()).isInstanceOf(ParallelForException.class);
        assertThat(((ParallelForException) error.getCause()).failures())
                .extracting(TaskFailure::index)
                .containsExactly(4L);
    }

    @Test
    void shouldHonourAFixedChunkSize() {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        listeners.add(new LoopListener() {
            @Override
            public void tasksEnded(LoopInfo loop, Outcome outcome, int count, long nanos) {
                sizes.add(count);
            }
        });

        assertThat(parfor.loop("fixed").chunkSize(1000).map(range(20_000), x -> x + 1))
                .isEqualTo(range(20_000).stream().map(x -> x + 1).toList());
        assertThat(sizes).hasSize(20).containsOnly(1000);
    }

    // --- the shared context ----------------------------------------------------------------------------------------

    /** A context that carries the probe's id and the values the bodies read. */
    record Shared(String probe, int[] values) implements Serializable {}

    @Test
    void shouldGiveEveryTaskTheLoopsContext() {
        Shared context = new Shared(probe.id(), IntStream.range(0, 10_000).toArray());

        List<Integer> results = parfor.loop("context").chunkSize(1).map(range(500), context, (x, ctx) -> {
            Probe.of(ctx.probe()).set("contexts").add(System.identityHashCode(ctx));
            return ctx.values()[x] * 2;
        });

        assertThat(results).isEqualTo(range(500).stream().map(x -> x * 2).toList());
        assertThat(probe.set("contexts")).isNotEmpty().hasSizeLessThanOrEqualTo(contextCopies());
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
        // The cause is the body's own exception, with the stack trace where it was thrown.
        assertThat(error.getCause().getStackTrace()[0].getClassName()).startsWith(PortableContract.class.getName());
        assertThat(error.loop()).isEqualTo("checks");
        assertThat(error.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(error.failures()).extracting(TaskFailure::index).containsExactly(42L);
    }

    @Test
    void shouldInterruptTheRunningTasksOfALoopThatFailsFast() {
        Assumptions.assumeTrue(concurrent(), "needs two bodies running at once");
        String id = probe.id();
        probe.newLatch("blocking", 1);

        assertThatThrownBy(() -> parfor.loop("interrupt")
                        .chunkSize(1)
                        .parallelism(2)
                        .forEach(List.of(0, 1), x -> {
                            if (x == 0) {
                                Probe.of(id).latch("blocking").countDown();
                                sleepUntilInterrupted(id);
                            } else {
                                Probe.of(id).latch("blocking").await();
                                throw new IllegalArgumentException("bad input 1");
                            }
                        }))
                .isInstanceOf(ParallelForException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);

        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(probe.counter("interrupted")).hasValue(1));
    }

    @Test
    void shouldCollectEveryFailureAtItsIndexFromRunAndThrowPartialFromTheOtherTerminals() {
        String id = probe.id();

        LoopResult<Integer> result = parfor.loop("collect")
                .onError(ErrorPolicy.COLLECT)
                .run(range(1000), x -> {
                    Probe.of(id).set("ran").add(x);
                    if (x % 100 == 7) {
                        throw new IllegalStateException("bad " + x);
                    }
                    return x;
                });
        ParallelForException partial = catchThrowableOfType(
                ParallelForException.class,
                () -> parfor.loop("collect-map").onError(ErrorPolicy.COLLECT).map(range(100), x -> {
                    Probe.of(id).counter("mapped").incrementAndGet();
                    if (x % 10 == 3) {
                        throw new IllegalStateException("bad " + x);
                    }
                    return x;
                }));

        assertThat(probe.set("ran")).hasSize(1000);
        assertThat(result.failures())
                .extracting(TaskFailure::index)
                .containsExactly(7L, 107L, 207L, 307L, 407L, 507L, 607L, 707L, 807L, 907L);
        assertThat(result.failures()).allSatisfy(f -> {
            assertThat(f.input()).isEqualTo((int) f.index());
            assertThat(f.attempts()).isEqualTo(1);
            assertThat(f.error()).isInstanceOf(IllegalStateException.class).hasMessage("bad " + f.index());
        });
        assertThat(result.values()).hasSize(1000);
        assertThat(result.values().get(7)).isNull();
        assertThat(result.valuesOr(-1).get(7)).isEqualTo(-1);
        assertThat(result.values().get(8)).isEqualTo(8);
        // The other terminals run every input, then throw.
        assertThat(probe.counter("mapped")).hasValue(100);
        assertThat(partial.outcome()).isEqualTo(Outcome.PARTIAL);
        assertThat(partial.failures())
                .extracting(TaskFailure::index)
                .containsExactly(3L, 13L, 23L, 33L, 43L, 53L, 63L, 73L, 83L, 93L);
    }

    @Test
    void shouldRetryOnlyTheFailedInputAndCountAttempts() {
        String id = probe.id();

        List<Integer> results = parfor.loop("retries")
                .retries(3, Duration.ofMillis(1))
                .map(range(50), x -> {
                    int attempt = Probe.of(id).counter("runs-" + x).incrementAndGet();
                    if (x == 13 && attempt < 3) {
                        throw new IOException("flaky " + attempt);
                    }
                    return x;
                });
        LoopResult<Integer> exhausted = parfor.loop("retries-exhausted")
                .onError(ErrorPolicy.COLLECT)
                .retries(2, Duration.ZERO)
                .run(List.of(1, 2), x -> {
                    Probe.of(id).counter("exhausted-" + x).incrementAndGet();
                    throw new IOException("always " + x);
                });

        assertThat(results).isEqualTo(range(50));
        assertThat(probe.counter("runs-13")).hasValue(3);
        for (int x = 0; x < 50; x++) {
            if (x != 13) {
                assertThat(probe.counter("runs-" + x)).as("runs of input %d", x).hasValue(1);
            }
        }
        assertThat(exhausted.failures()).extracting(TaskFailure::attempts).containsExactly(3, 3);
        assertThat(probe.counter("exhausted-1")).hasValue(3);
        assertThat(probe.counter("exhausted-2")).hasValue(3);
    }

    // --- deadlines, timeouts and cancellation ----------------------------------------------------------------------

    @Test
    void shouldThrowAtTheLoopDeadlineAndInterruptRunningTasks() {
        String id = probe.id();

        ParallelForException error = catchThrowableOfType(
                ParallelForException.class,
                () -> parfor.loop("deadline")
                        .chunkSize(1)
                        .timeout(Duration.ofMillis(300))
                        .forEach(range(4), x -> {
                            Probe.of(id).counter("started").incrementAndGet();
                            sleepUntilInterrupted(id);
                        }));

        assertThat(error.outcome()).isEqualTo(Outcome.TIMEOUT);
        assertThat(error.getCause()).isInstanceOf(TimeoutException.class);
        assertThat(error.getMessage()).contains("'deadline'", "timed out", "PT0.3S");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(probe.counter("interrupted").get())
                        .isPositive()
                        .isEqualTo(probe.counter("started").get()));
    }

    @Test
    void shouldFailATaskThatOverrunsItsTaskTimeoutAndRunTheRestOfItsChunk() {
        String id = probe.id();

        LoopResult<Integer> result = parfor.loop("task-timeout")
                .onError(ErrorPolicy.COLLECT)
                .chunkSize(3)
                .taskTimeout(Duration.ofMillis(200))
                .run(range(6), x -> {
                    if (x == 1) {
                        sleepUntilInterrupted(id);
                    }
                    return x;
                });

        assertThat(result.failures()).singleElement().satisfies(f -> {
            assertThat(f.index()).isEqualTo(1);
            assertThat(f.error()).isInstanceOf(TimeoutException.class).hasMessageContaining("PT0.2S");
        });
        assertThat(result.values()).containsExactly(0, null, 2, 3, 4, 5);
        // The overrunning body is interrupted; it may reach its catch block after the loop has returned.
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(probe.counter("interrupted")).hasValue(1));
    }

    @Test
    void shouldCancelTheLoopAndInterruptItsTasksWhenTheCallerIsInterrupted() throws Exception {
        String id = probe.id();
        probe.newLatch("started", 1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flagRestored = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                parfor.loop("interrupted").chunkSize(1).forEach(range(4), x -> {
                    Probe.of(id).latch("started").countDown();
                    sleepUntilInterrupted(id);
                });
            } catch (Throwable t) {
                thrown.set(t);
                flagRestored.set(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();
        probe.latch("started").await();

        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(20));

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(ParallelForException.class);
        assertThat(((ParallelForException) thrown.get()).outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(flagRestored.get()).isTrue();
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(probe.counter("interrupted").get()).isPositive());
    }

    @Test
    void shouldCancelALoopFromOutsideThroughRunningLoop() throws Exception {
        String id = probe.id();
        probe.newLatch("started", 1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                parfor.loop("cancelled").chunkSize(1).forEach(range(4), x -> {
                    Probe.of(id).latch("started").countDown();
                    sleepUntilInterrupted(id);
                });
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        probe.latch("started").await();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> parfor.running().stream()
                        .anyMatch(l -> l.progress().info().name().equals("cancelled")));

        RunningLoop running = parfor.running().stream()
                .filter(l -> l.progress().info().name().equals("cancelled"))
                .findFirst()
                .orElseThrow();
        assertThat(running.cancel()).isTrue();
        caller.join(TimeUnit.SECONDS.toMillis(20));

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(ParallelForException.class);
        assertThat(((ParallelForException) thrown.get()).outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(parfor.running()).isEmpty();
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> assertThat(probe.counter("interrupted").get()).isPositive());
    }

    // --- progress, events, propagation -----------------------------------------------------------------------------

    @Test
    void shouldReportProgressRunningLoopsAndEvents() throws Exception {
        String id = probe.id();
        probe.newLatch("release", 1);
        List<String> events = new CopyOnWriteArrayList<>();
        List<Progress> reports = new CopyOnWriteArrayList<>();
        listeners.add(new LoopListener() {
            @Override
            public void loopStarted(LoopInfo loop) {
                events.add("started " + loop.name() + " on " + loop.engine());
            }

            @Override
            public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
                events.add("finished " + loop.name() + " " + outcome + " " + progress.done());
            }
        });
        Thread caller = new Thread(() -> parfor.loop("watched")
                .chunkSize(1)
                .progress(reports::add, Duration.ofMillis(10))
                .forEach(range(20), x -> {
                    if (x == 5) {
                        Probe.of(id).latch("release").await();
                    }
                }));
        caller.start();

        await().atMost(Duration.ofSeconds(20))
                .until(() -> parfor.running().stream()
                        .anyMatch(l -> l.progress().info().name().equals("watched")));
        Progress running = parfor.running().get(0).progress();
        assertThat(running.info().engine()).isEqualTo(engineName());
        assertThat(running.total()).hasValue(20);
        assertThat(running.finished()).isFalse();
        probe.latch("release").countDown();
        caller.join(TimeUnit.SECONDS.toMillis(20));

        assertThat(caller.isAlive()).isFalse();
        assertThat(parfor.running()).isEmpty();
        Progress last = reports.get(reports.size() - 1);
        assertThat(last.finished()).isTrue();
        assertThat(last.done()).isEqualTo(20);
        assertThat(last.toString()).startsWith("watched on " + engineName() + ": 20/20 done, 0 failed");
        assertThat(events).containsExactly("started watched on " + engineName(), "finished watched SUCCESS 20");
    }

    @Test
    void shouldCarryTheCallersMdcIntoTheBodyAndNotAfterwards() {
        MDC.put("request", "r-42");
        List<@Nullable String> seen;
        try {
            seen = parfor.loop("mdc").chunkSize(1).map(range(20), x -> MDC.get("request"));
        } finally {
            MDC.remove("request");
        }
        List<@Nullable String> afterwards = parfor.loop("no-mdc").chunkSize(1).map(range(20), x -> MDC.get("request"));

        assertThat(seen).hasSize(20).containsOnly("r-42");
        assertThat(afterwards).hasSize(20).containsOnlyNulls();
    }
}
