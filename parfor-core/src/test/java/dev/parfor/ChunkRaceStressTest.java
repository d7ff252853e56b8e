package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.parfor.spi.Chunk;
import dev.parfor.spi.ChunkOutcome;
import dev.parfor.spi.Engine;
import dev.parfor.spi.Placement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Stresses the races the scheduler must survive, with real threads released together by {@link CyclicBarrier}s, over
 * many loops per seed. Each dynamic test names its seed; {@code -Dparfor.seed=N} re-runs that seed alone. Short by
 * default (a few seconds); {@code -Dparfor.stress=long} runs many more seeds and loops.
 *
 * <ul>
 *   <li>An engine ending a chunk ({@link Chunk#complete}, {@link Chunk#fail}) while {@link Chunk#run()} runs it on
 *       another thread and the loop stops ({@link RunningLoop#cancel()}, the loop's timeout).
 *   <li>A task timeout (the timer abandoning a chunk) while the body returns just at its deadline.
 *   <li>A fail-fast stop while several workers fail at once, and while the loop is cancelled from outside.
 * </ul>
 *
 * <p>What the thread interleaving does not decide is checked exactly: the caller returns, the loop ends once
 * ({@code loopFinished} once, after {@code loopStarted}, with the caller's exception) and leaves {@link
 * ParallelFor#running()}, each input has exactly one outcome, no task is counted twice, and without retries no body
 * starts twice. A caller that does not return within {@link #HANG} is reported as hung; the bound only tells a hang
 * from a slow machine, no result depends on time.
 *
 * <p>Task events that reach a listener after its {@code loopFinished} (a chunk that ended as a fail-fast stop ended
 * the loop) are counted and printed per seed, not failed: the listener contract does not say yet whether they may.
 */
class ChunkRaceStressTest {

    private static final boolean LONG = "long".equals(System.getProperty("parfor.stress"));
    private static final int SEEDS = LONG ? 20 : 4;
    private static final int LOOPS_PER_SEED = LONG ? 1_000 : 150;
    private static final Duration HANG = Duration.ofMinutes(1);

    @TestFactory
    Stream<DynamicTest> shouldEndEachChunkOnceWhenTheEngineRunAndStopRace() {
        return seeds("engine ends, run and stop race", this::engineRunAndStopRace);
    }

    @TestFactory
    Stream<DynamicTest> shouldReportOneOutcomePerInputWhenATaskTimeoutRacesTheBody() {
        return seeds("task timeout races the body", this::taskTimeoutRace);
    }

    @TestFactory
    Stream<DynamicTest> shouldThrowOnceWhenFailFastRacesSeveralWorkers() {
        return seeds("fail-fast races several workers", this::failFastRace);
    }

    private interface SeededCheck {
        void run(long seed) throws Exception;
    }

    private static Stream<DynamicTest> seeds(String what, SeededCheck check) {
        String fixed = System.getProperty("parfor.seed");
        LongStream seeds = fixed != null ? LongStream.of(Long.parseLong(fixed)) : new SplittableRandom().longs(SEEDS);
        return seeds.mapToObj(seed -> DynamicTest.dynamicTest(
                what + " [seed=" + seed + "] (re-run: -Dparfor.seed=" + seed + ")", () -> check.run(seed)));
    }

    // -----------------------------------------------------------------------------------------------------------------
    // An engine's complete/fail, Chunk.run() and the loop stopping, on the same chunks

    private void engineRunAndStopRace(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Recorder recorder = new Recorder();
        ExecutorService racers = Executors.newCachedThreadPool();
        Racing engine = new Racing(racers, random.split());
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("racing", engine)
                .listener(recorder)
                .build()) {
            engine.parfor = parfor;
            for (int loop = 0; loop < LOOPS_PER_SEED; loop++) {
                int inputs = 1 + random.nextInt(24);
                int chunkSize = 1 + random.nextInt(4);
                boolean cancels = random.nextInt(4) == 0;
                Duration timeout = random.nextInt(4) == 0 ? Duration.ofNanos(20_000 + random.nextInt(2_000_000)) : null;
                engine.nextLoop(cancels);
                String name = "racing-" + loop;
                Loop options = parfor.loop(name)
                        .chunkSize(chunkSize)
                        .parallelism(1 + random.nextInt(4))
                        .onError(ErrorPolicy.COLLECT);
                if (timeout != null) {
                    options.timeout(timeout);
                }
                String where = "loop " + loop + " (" + inputs + " inputs, chunks of " + chunkSize + ", cancel="
                        + cancels + ", timeout=" + timeout + ")";
                Ending<LoopResult<Integer>> outcome =
                        call(() -> options.run(range(inputs), (Integer i) -> i * 10 + 1), where);
                engine.awaitRacers(where);
                LoopRecord record = recorder.record(name, where);
                record.expectEndedOnce(where, outcome.error);
                assertThat(parfor.running()).as(where + ": running loops").isEmpty();
                if (outcome.error != null) {
                    List<Outcome> stops = new ArrayList<>();
                    if (cancels) {
                        stops.add(Outcome.CANCELLED);
                    }
                    if (timeout != null) {
                        stops.add(Outcome.TIMEOUT);
                    }
                    assertThat(outcome.error.outcome())
                            .as(where + ": only a cancel or the timeout stops this loop: " + outcome.error)
                            .isIn(stops);
                    assertThat(record.counted(Outcome.SUCCESS) + record.counted(Outcome.FAILURE))
                            .as(where + ": task events, at most one per input")
                            .isLessThanOrEqualTo(inputs);
                    continue;
                }
                LoopResult<Integer> result = outcome.value;
                assertThat(result.values()).as(where + ": one slot per input").hasSize(inputs);
                Map<Long, TaskFailure> failed = new ConcurrentHashMap<>();
                for (TaskFailure failure : result.failures()) {
                    assertThat(failed.put(failure.index(), failure))
                            .as(where + ": one failure per input")
                            .isNull();
                    assertThat(failure.error())
                            .as(where + ": only the engine fails inputs")
                            .isInstanceOf(EngineGaveUp.class);
                }
                assertValues(where, result, failed, "failed");
                assertThat(record.counted(Outcome.SUCCESS))
                        .as(where + ": success events")
                        .isEqualTo(inputs - failed.size());
                assertThat(record.counted(Outcome.FAILURE))
                        .as(where + ": failure events")
                        .isEqualTo(failed.size());
            }
        } finally {
            racers.shutdownNow();
        }
    }

    /** Thrown by the racing engine's {@link Chunk#fail}. */
    private static final class EngineGaveUp extends RuntimeException {
        EngineGaveUp() {
            super("the engine gave up on the chunk", null, false, false);
        }
    }

    /**
     * An engine, remote as far as the scheduler knows, that hands every chunk to two to four racers released together:
     * always {@link Chunk#complete} with the chunk's real outcome, sometimes {@link Chunk#run()}, sometimes
     * {@link Chunk#fail}, and on the first chunk of a loop that cancels, {@link RunningLoop#cancel()}.
     */
    private static final class Racing implements Engine {
        private final ExecutorService racers;
        private final SplittableRandom random;
        private final List<Future<?>> started = new ArrayList<>();
        private boolean cancels;
        private boolean first;
        volatile @Nullable ParallelFor parfor;

        Racing(ExecutorService racers, SplittableRandom random) {
            this.racers = racers;
            this.random = random;
        }

        @Override
        public String type() {
            return "racing";
        }

        @Override
        public int parallelism() {
            return 4;
        }

        @Override
        public Placement placement() {
            return Placement.REMOTE;
        }

        synchronized void nextLoop(boolean cancels) {
            this.cancels = cancels;
            this.first = true;
            started.clear();
        }

        @Override
        public synchronized void execute(Chunk chunk) {
            List<Runnable> actions = new ArrayList<>();
            ChunkOutcome outcome = ChunkOutcome.execute(
                    chunk.task(), chunk.firstIndex(), chunk.inputs(), chunk.context(), () -> false, null);
            actions.add(() -> chunk.complete(outcome));
            if (random.nextBoolean()) {
                actions.add(chunk::run);
            }
            if (random.nextInt(3) == 0) {
                actions.add(() -> chunk.fail(new EngineGaveUp()));
            }
            if (cancels && first) {
                ParallelFor owner = parfor;
                actions.add(() -> {
                    for (RunningLoop loop : owner.running()) {
                        if (loop.progress().info().id().equals(chunk.loopId())) {
                            loop.cancel();
                        }
                    }
                });
            }
            first = false;
            java.util.Collections.shuffle(actions, new java.util.Random(random.nextLong()));
            CyclicBarrier go = new CyclicBarrier(actions.size());
            for (Runnable action : actions) {
                started.add(racers.submit(() -> {
                    go.await();
                    action.run();
                    return null;
                }));
            }
        }

        /** Every racer of the last loop returns (each of Chunk.run/complete/fail and RunningLoop.cancel). */
        void awaitRacers(String where) throws Exception {
            int awaited = 0;
            while (true) {
                Future<?> racer;
                synchronized (this) {
                    if (awaited == started.size()) {
                        return; // racers that ended a chunk may have dispatched more: wait for those too
                    }
                    racer = started.get(awaited);
                }
                try {
                    racer.get(HANG.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    fail(where + ": a racer (Chunk.run/complete/fail or RunningLoop.cancel) did not return");
                }
                awaited++;
            }
        }
    }

    // -----------------------------------------------------------------------------------------------------------------
    // The timer abandoning a chunk while the body returns at its deadline

    private void taskTimeoutRace(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Recorder recorder = new Recorder();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int timedOut = 0;
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("fork-join", Engines.forkJoin(2))
                .engine("executor", Engines.executor(pool, 2))
                .listener(recorder)
                .build()) {
            for (int loop = 0; loop < LOOPS_PER_SEED; loop++) {
                String engine = random.nextBoolean() ? "fork-join" : "executor";
                int inputs = 1 + random.nextInt(8);
                int chunkSize = 1 + random.nextInt(4);
                long timeoutNanos = 300_000 + random.nextInt(700_000);
                // Each body spins until a moment drawn around the deadline: some return just before it, some just
                // after, so the timer and the body's return race on most inputs.
                long[] spinNanos = new long[inputs];
                for (int i = 0; i < inputs; i++) {
                    spinNanos[i] = timeoutNanos - 60_000 + random.nextInt(120_000);
                }
                AtomicIntegerArray runs = new AtomicIntegerArray(inputs);
                String where = "loop " + loop + " on " + engine + " (" + inputs + " inputs, chunks of " + chunkSize
                        + ", task timeout " + timeoutNanos + " ns)";
                String name = "timeout-race-" + loop;
                Loop options = parfor.loop(name)
                        .engine(engine)
                        .chunkSize(chunkSize)
                        .onError(ErrorPolicy.COLLECT)
                        .taskTimeout(Duration.ofNanos(timeoutNanos));
                Ending<LoopResult<Integer>> outcome = call(
                        () -> options.run(range(inputs), (Integer i) -> {
                            runs.incrementAndGet(i);
                            long until = System.nanoTime() + spinNanos[i];
                            while (System.nanoTime() - until < 0) {
                                Thread.onSpinWait();
                            }
                            return i * 10 + 1;
                        }),
                        where);
                assertThat(outcome.error).as(where + ": the loop returns").isNull();
                LoopRecord record = recorder.record(name, where);
                record.expectEndedOnce(where, null);
                assertThat(parfor.running()).as(where + ": running loops").isEmpty();
                LoopResult<Integer> result = outcome.value;
                assertThat(result.values()).as(where + ": one slot per input").hasSize(inputs);
                Map<Long, TaskFailure> failed = new ConcurrentHashMap<>();
                for (TaskFailure failure : result.failures()) {
                    assertThat(failed.put(failure.index(), failure))
                            .as(where + ": one failure per input")
                            .isNull();
                    assertThat(failure.error())
                            .as(where + ": input #" + failure.index() + " fails only by its timeout")
                            .isInstanceOf(TimeoutException.class);
                }
                timedOut += failed.size();
                for (int i = 0; i < inputs; i++) {
                    // An input the timer abandoned may not have started yet: its runner can still be waiting for a CPU.
                    assertThat(runs.get(i))
                            .as(where + ": starts of input #" + i + "'s body (no retries: at most one)")
                            .isLessThanOrEqualTo(1);
                }
                assertValues(where, result, failed, "timed out");
                assertThat(record.counted(Outcome.SUCCESS))
                        .as(where + ": success events")
                        .isEqualTo(inputs - failed.size());
                assertThat(record.counted(Outcome.TIMEOUT))
                        .as(where + ": timeout events")
                        .isEqualTo(failed.size());
                assertThat(record.counted(Outcome.FAILURE))
                        .as(where + ": other failures")
                        .isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf(
                "task timeout race, seed %d: %d loops, %d inputs timed out%n", seed, LOOPS_PER_SEED, timedOut);
    }

    // -----------------------------------------------------------------------------------------------------------------
    // FAIL_FAST stopping while several workers fail at once (and a cancel from outside)

    private void failFastRace(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Recorder recorder = new Recorder();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        ExecutorService cancellers = Executors.newSingleThreadExecutor();
        Map<String, Integer> engines = Map.of("fork-join", 2, "executor", 2, "virtual", 4);
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("fork-join", Engines.forkJoin(2))
                .engine("executor", Engines.executor(pool, 2))
                .engine("virtual", Engines.virtualThreads(4))
                .listener(recorder)
                .build()) {
            List<String> names = List.copyOf(new java.util.TreeSet<>(engines.keySet()));
            for (int loop = 0; loop < LOOPS_PER_SEED; loop++) {
                String engine = names.get(random.nextInt(names.size()));
                int parallelism = engines.get(engine);
                int inputs = parallelism + random.nextInt(8);
                // The failing inputs are among the first chunks, which run at once, and meet at a barrier so that
                // they throw together; a canceller may meet them there too.
                int failing = 1 + random.nextInt(parallelism);
                boolean cancels = random.nextInt(3) == 0;
                CyclicBarrier together = new CyclicBarrier(failing + (cancels ? 1 : 0));
                String name = "fail-fast-race-" + loop;
                String where = "loop " + loop + " on " + engine + " (" + inputs + " inputs, " + failing
                        + " failing at once, cancel=" + cancels + ")";
                Future<?> canceller = cancels
                        ? cancellers.submit(() -> {
                            RunningLoop running = null;
                            while (running == null) {
                                running = parfor.running().stream()
                                        .filter(l -> l.progress().info().name().equals(name))
                                        .findFirst()
                                        .orElse(null);
                                Thread.onSpinWait();
                            }
                            together.await(HANG.toNanos(), TimeUnit.NANOSECONDS);
                            return running.cancel();
                        })
                        : null;
                Loop options = parfor.loop(name).engine(engine).chunkSize(1).parallelism(parallelism);
                Ending<List<Integer>> outcome = call(
                        () -> options.map(range(inputs), (Integer i) -> {
                            if (i < failing) {
                                try {
                                    together.await(HANG.toNanos(), TimeUnit.NANOSECONDS);
                                } catch (BrokenBarrierException | InterruptedException e) {
                                    // Another failure or the cancel already stopped the loop; fail anyway.
                                }
                                throw new Boom(i);
                            }
                            return i;
                        }),
                        where);
                if (canceller != null) {
                    canceller.get(HANG.toNanos(), TimeUnit.NANOSECONDS);
                }
                ParallelForException error = outcome.error;
                assertThat(error).as(where + ": the caller gets an exception").isNotNull();
                LoopRecord record = recorder.record(name, where);
                record.expectEndedOnce(where, error);
                assertThat(parfor.running()).as(where + ": running loops").isEmpty();
                if (error.outcome() == Outcome.CANCELLED) {
                    assertThat(cancels)
                            .as(where + ": cancelled only by the canceller")
                            .isTrue();
                    continue;
                }
                assertThat(error.outcome()).as(where + ": " + error).isEqualTo(Outcome.FAILURE);
                assertThat(error.getCause()).as(where + ": the cause").isInstanceOf(Boom.class);
                assertThat(((Boom) error.getCause()).input)
                        .as(where + ": the failed input")
                        .isLessThan(failing);
                assertThat(error.failures())
                        .as(where + ": fail-fast reports the one failure it stopped for")
                        .singleElement()
                        .satisfies(f -> assertThat(f.error()).isSameAs(error.getCause()));
                for (Throwable suppressed : error.getSuppressed()) {
                    assertThat(suppressed)
                            .as(where + ": only other inputs' failures are suppressed")
                            .isInstanceOf(Boom.class)
                            .isNotSameAs(error.getCause());
                }
            }
            System.out.printf(
                    "fail-fast race, seed %d: %d loops, %d task events after loopFinished%n",
                    seed, LOOPS_PER_SEED, recorder.tasksAfterFinished());
        } finally {
            cancellers.shutdownNow();
            pool.shutdownNow();
        }
    }

    private static final class Boom extends RuntimeException {
        final int input;

        Boom(int input) {
            super("input " + input + " failed", null, false, false);
            this.input = input;
        }
    }

    // -----------------------------------------------------------------------------------------------------------------
    // Shared

    /** Every input that {@code failedHow} has no value; every other input {@code i} has {@code i * 10 + 1}. */
    private static void assertValues(
            String where, LoopResult<Integer> result, Map<Long, TaskFailure> failed, String failedHow) {
        for (int i = 0; i < result.values().size(); i++) {
            if (failed.containsKey((long) i)) {
                assertThat(result.values().get(i))
                        .as(where + ": input #" + i + " " + failedHow + " and has no value")
                        .isNull();
            } else {
                assertThat(result.values().get(i))
                        .as(where + ": input #" + i + " has its value")
                        .isEqualTo(i * 10 + 1);
            }
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(i);
        }
        return list;
    }

    private record Ending<T>(@Nullable T value, @Nullable ParallelForException error) {}

    private interface Call<T> {
        T call();
    }

    /** Runs a loop's caller on its own thread, so that a caller that never returns fails the test as hung. */
    private static <T> Ending<T> call(Call<T> caller, String where) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<Ending<T>> future = thread.submit(() -> {
                try {
                    return new Ending<>(caller.call(), null);
                } catch (ParallelForException e) {
                    return new Ending<>(null, e);
                }
            });
            try {
                return future.get(HANG.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError(where + ": the caller did not return (hung)");
            } catch (ExecutionException e) {
                throw new AssertionError(where + ": the caller got " + e.getCause(), e.getCause());
            }
        } finally {
            thread.shutdownNow();
        }
    }

    /** The events of one loop. */
    private static final class LoopRecord {
        final String name;
        int started;
        int finished;
        boolean finishedBeforeStarted;
        int tasksAfterFinished;

        @Nullable
        Throwable error;

        final Map<Outcome, Integer> tasks = new java.util.EnumMap<>(Outcome.class);

        LoopRecord(String name) {
            this.name = name;
        }

        synchronized int counted(Outcome outcome) {
            return tasks.getOrDefault(outcome, 0);
        }

        synchronized void expectEndedOnce(String where, @Nullable Throwable callerGot) {
            assertThat(started).as(where + ": loopStarted events").isEqualTo(1);
            assertThat(finished).as(where + ": loopFinished events").isEqualTo(1);
            assertThat(finishedBeforeStarted)
                    .as(where + ": loopFinished before loopStarted")
                    .isFalse();
            assertThat(error)
                    .as(where + ": loopFinished's error is the caller's")
                    .isSameAs(callerGot);
        }
    }

    /** Records the events of every loop, by loop id. */
    private static final class Recorder implements LoopListener {
        private final Map<String, LoopRecord> loops = new ConcurrentHashMap<>();

        private LoopRecord of(LoopInfo loop) {
            return loops.computeIfAbsent(loop.id(), id -> new LoopRecord(loop.name()));
        }

        @Override
        public void loopStarted(LoopInfo loop) {
            LoopRecord record = of(loop);
            synchronized (record) {
                record.started++;
            }
        }

        @Override
        public void tasksEnded(LoopInfo loop, Outcome outcome, int count, long nanos) {
            LoopRecord record = of(loop);
            synchronized (record) {
                record.tasks.merge(outcome, count, Integer::sum);
                if (record.finished > 0) {
                    record.tasksAfterFinished += count;
                }
            }
        }

        @Override
        public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
            LoopRecord record = of(loop);
            synchronized (record) {
                if (record.started == 0) {
                    record.finishedBeforeStarted = true;
                }
                record.finished++;
                record.error = error;
            }
        }

        /** The one run of the loop with this name. */
        LoopRecord record(String name, String where) {
            List<LoopRecord> runs =
                    loops.values().stream().filter(r -> r.name.equals(name)).toList();
            assertThat(runs)
                    .as(where + ": runs of loop '" + name + "' seen by the listener")
                    .hasSize(1);
            return runs.get(0);
        }

        /** Task events that arrived after their loop's loopFinished (reported, not a failure: see the class doc). */
        int tasksAfterFinished() {
            return loops.values().stream()
                    .mapToInt(r -> {
                        synchronized (r) {
                            return r.tasksAfterFinished;
                        }
                    })
                    .sum();
        }
    }
}
