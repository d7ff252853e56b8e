package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.parfor.ErrorPolicy;
import dev.parfor.Loop;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelForException;
import dev.parfor.TaskFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Random loops on every local engine, checked against the invariants every loop must keep: results in input order,
 * every input ends with exactly one value or one reported failure, failures exactly at the failing inputs, and each
 * input run exactly as many times as its attempts say.
 *
 * <p>Each try is generated from one seed, shown in its name ({@code seed=...}); {@code -Dparfor.seed=<seed>} runs
 * that one try again, with the same engine, policy, sizes and failures:
 * {@code ./mvnw -pl parfor-core -am verify -Dtest=LoopPropertiesTest -Dparfor.seed=<seed>}.
 */
class LoopPropertiesTest {

    private static final int LOOP_TRIES = 40;
    private static final int STREAM_TRIES = 20;

    private static final Map<Rig.Kind, Rig> RIGS = new EnumMap<>(Rig.Kind.class);
    private static final Figures FIGURES = new Figures("properties");

    @BeforeAll
    static void startEngines() {
        for (Rig.Kind kind : Rig.Kind.values()) {
            RIGS.put(kind, Rig.start(kind));
        }
    }

    @AfterAll
    static void stopEngines() {
        RIGS.values().forEach(Rig::close);
        RIGS.clear();
        FIGURES.write();
    }

    /**
     * The seeds of the tries: the one given with {@code -Dparfor.seed}, or {@code tries} new ones drawn from a seed
     * that differs on every run.
     */
    static List<Long> seeds(int tries) {
        String given = System.getProperty("parfor.seed");
        if (given != null && !given.isBlank()) {
            return List.of(Long.parseLong(given.strip()));
        }
        SplittableRandom seeds = new SplittableRandom();
        List<Long> list = new ArrayList<>(tries);
        for (int i = 0; i < tries; i++) {
            list.add(seeds.nextLong());
        }
        return list;
    }

    /**
     * Runs one try; a failure names the try's seed and how to run it again, since build reports may show only the
     * try's number.
     */
    static void reporting(long seed, Executable check) throws Throwable {
        try {
            check.execute();
        } catch (Throwable failure) {
            throw new AssertionError(
                    "the try with seed " + seed + " failed; run it again with -Dparfor.seed=" + seed, failure);
        }
    }

    /** A value from {@code min} to {@code max}; the bounds come up more often than the rest, as edge cases should. */
    static int between(SplittableRandom random, int min, int max) {
        int edge = random.nextInt(10);
        if (edge == 0) {
            return min;
        }
        if (edge == 1) {
            return max;
        }
        return random.nextInt(min, max + 1);
    }

    static <E> E oneOf(SplittableRandom random, E[] values) {
        return values[random.nextInt(values.length)];
    }

    /** How an input behaves: fails on its first attempts, then succeeds, or never succeeds. */
    record Plan(int size, int[] failUntil, int[] delayMillis, Set<Integer> permanent, int faults) {

        /** Attempt numbers below {@code failUntil[i]} fail; {@code Integer.MAX_VALUE} fails every attempt. */
        static Plan random(int size, int retries, int failPercent, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            int[] failUntil = new int[size];
            int[] delay = new int[size];
            Set<Integer> permanent = new HashSet<>();
            int faults = 0;
            for (int i = 0; i < size; i++) {
                failUntil[i] = 1;
                if (random.nextInt(100) < failPercent) {
                    // Succeeds on attempt 2..retries+2; retries+2 is one attempt too many, so it never succeeds.
                    int succeedsOn = 2 + random.nextInt(retries + 1);
                    if (succeedsOn > retries + 1 || random.nextInt(4) == 0) {
                        failUntil[i] = Integer.MAX_VALUE;
                        permanent.add(i);
                    } else {
                        failUntil[i] = succeedsOn;
                    }
                    faults++;
                }
                if (random.nextInt(200) == 0) {
                    delay[i] = 1 + random.nextInt(3);
                }
            }
            return new Plan(size, failUntil, delay, permanent, faults);
        }

        int expectedAttempts(int index, int retries) {
            return Math.min(failUntil[index], retries + 1);
        }
    }

    /** Thrown by an input on an attempt that the plan says fails. */
    static final class PlannedFailure extends Exception {
        final int index;
        final int attempt;

        PlannedFailure(int index, int attempt) {
            super("planned failure of input " + index + " on attempt " + attempt);
            this.index = index;
            this.attempt = attempt;
        }
    }

    enum InputForm {
        LIST,
        STREAM
    }

    /** One try of {@link #shouldGiveEveryInputExactlyOneValueOrFailureInInputOrder}, drawn from its seed. */
    record LoopTry(
            long seed,
            Rig.Kind kind,
            ErrorPolicy policy,
            InputForm form,
            int size,
            int chunkSize,
            int retries,
            int failPercent,
            long planSeed) {

        static LoopTry from(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            return new LoopTry(
                    seed,
                    oneOf(random, Rig.Kind.values()),
                    oneOf(random, ErrorPolicy.values()),
                    oneOf(random, InputForm.values()),
                    between(random, 0, 10_000),
                    between(random, 0, 64),
                    between(random, 0, 3),
                    between(random, 0, 5),
                    random.nextLong());
        }

        @Override
        public String toString() {
            return "seed=" + seed + " " + kind + " " + policy + " " + form + " size=" + size + " chunkSize="
                    + (chunkSize == 0 ? "auto" : chunkSize) + " retries=" + retries + " fail%=" + failPercent;
        }
    }

    @TestFactory
    Stream<DynamicTest> shouldGiveEveryInputExactlyOneValueOrFailureInInputOrder() {
        return seeds(LOOP_TRIES).stream()
                .map(LoopTry::from)
                .map(t -> dynamicTest(t.toString(), () -> reporting(t.seed(), () -> check(t))));
    }

    private static void check(LoopTry t) {
        Rig.Kind kind = t.kind();
        ErrorPolicy policy = t.policy();
        InputForm form = t.form();
        int size = t.size();
        int chunkSize = t.chunkSize();
        int retries = t.retries();
        int failPercent = t.failPercent();
        long seed = t.planSeed();
        Plan plan = Plan.random(size, retries, failPercent, seed);
        AtomicIntegerArray attempts = new AtomicIntegerArray(Math.max(1, size));
        Loop loop = RIGS.get(kind).parfor().loop("property").onError(policy).retries(retries, Duration.ZERO);
        if (chunkSize > 0) {
            loop.chunkSize(chunkSize);
        }
        List<Integer> inputs = IntStream.range(0, size).boxed().toList();
        dev.parfor.Body<Integer, String> body = i -> {
            int attempt = attempts.incrementAndGet(i);
            if (plan.delayMillis()[i] > 0) {
                Thread.sleep(plan.delayMillis()[i]);
            }
            if (attempt < plan.failUntil()[i]) {
                throw new PlannedFailure(i, attempt);
            }
            return "v" + i;
        };
        FIGURES.add("loops run", 1);
        FIGURES.add("inputs", size);
        FIGURES.add("faults injected", plan.faults());

        boolean expectFailure =
                policy == ErrorPolicy.FAIL_FAST && !plan.permanent().isEmpty();
        if (expectFailure) {
            ParallelForException error =
                    catchThrowableOfType(ParallelForException.class, () -> run(loop, form, inputs, body));
            assertThat(error).as("fail-fast loop with permanent failures").isNotNull();
            assertThat(error.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(error.failures()).isNotEmpty();
            TaskFailure first = error.failures().get(0);
            assertThat(plan.permanent()).contains((int) first.index());
            assertThat(first.attempts()).isEqualTo(retries + 1);
            assertThat(error.getCause()).isInstanceOf(PlannedFailure.class);
            assertThat(((PlannedFailure) error.getCause()).index).isEqualTo(first.index());
            assertThat(error.getMessage()).contains("'property'", "#" + first.index());
            for (int i = 0; i < size; i++) {
                assertThat(attempts.get(i))
                        .as("attempts of input %d", i)
                        .isLessThanOrEqualTo(plan.expectedAttempts(i, retries));
            }
            return;
        }

        LoopResult<String> result = run(loop, form, inputs, body);
        assertThat(result.values()).hasSize(size);
        Set<Long> failedIndices = new HashSet<>();
        for (TaskFailure failure : result.failures()) {
            assertThat(failedIndices.add(failure.index()))
                    .as("one failure per input, index %d", failure.index())
                    .isTrue();
            assertThat(failure.attempts()).isEqualTo(retries + 1);
            assertThat(failure.input()).isEqualTo((int) failure.index());
            assertThat(failure.error()).isInstanceOf(PlannedFailure.class);
        }
        assertThat(failedIndices)
                .as("failures exactly at the failing inputs")
                .isEqualTo(plan.permanent().stream().map(Long::valueOf).collect(Collectors.toSet()));
        assertThat(result.failures())
                .extracting(TaskFailure::index)
                .as("failures in input order")
                .isSorted();
        List<Integer> wrong = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String expected = plan.permanent().contains(i) ? null : "v" + i;
            if (!java.util.Objects.equals(result.values().get(i), expected)
                    || attempts.get(i) != plan.expectedAttempts(i, retries)) {
                wrong.add(i);
            }
        }
        assertThat(wrong)
                .as(
                        "inputs with a wrong value or attempt count (value, attempts): %s",
                        describe(wrong, result, attempts))
                .isEmpty();
    }

    /** One try of {@link #shouldStreamEveryValueInInputOrderWhileTransientFailuresAreRetried}. */
    record StreamTry(long seed, Rig.Kind kind, int size, int chunkSize, int retries, long planSeed) {

        static StreamTry from(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            return new StreamTry(
                    seed,
                    oneOf(random, Rig.Kind.values()),
                    between(random, 0, 10_000),
                    between(random, 0, 64),
                    between(random, 1, 3),
                    random.nextLong());
        }

        @Override
        public String toString() {
            return "seed=" + seed + " " + kind + " size=" + size + " chunkSize=" + (chunkSize == 0 ? "auto" : chunkSize)
                    + " retries=" + retries;
        }
    }

    @TestFactory
    Stream<DynamicTest> shouldStreamEveryValueInInputOrderWhileTransientFailuresAreRetried() {
        return seeds(STREAM_TRIES).stream()
                .map(StreamTry::from)
                .map(t -> dynamicTest(t.toString(), () -> reporting(t.seed(), () -> checkStream(t))));
    }

    private static void checkStream(StreamTry t) {
        Rig.Kind kind = t.kind();
        int size = t.size();
        int chunkSize = t.chunkSize();
        int retries = t.retries();
        long seed = t.planSeed();
        Plan plan = Plan.random(size, retries, 3, seed);
        // Only transient failures here: a permanent one would end the stream with an error.
        Set<Integer> permanent = plan.permanent();
        AtomicIntegerArray attempts = new AtomicIntegerArray(Math.max(1, size));
        Loop loop = RIGS.get(kind).parfor().loop("property-stream").retries(retries, Duration.ZERO);
        if (chunkSize > 0) {
            loop.chunkSize(chunkSize);
        }
        FIGURES.add("loops run", 1);
        FIGURES.add("inputs", size);
        FIGURES.add("faults injected", plan.faults() - permanent.size());
        List<String> streamed;
        try (Stream<String> values = loop.stream(IntStream.range(0, size).boxed()::iterator, i -> {
            int attempt = attempts.incrementAndGet(i);
            if (!permanent.contains(i) && attempt < plan.failUntil()[i]) {
                throw new PlannedFailure(i, attempt);
            }
            return "v" + i;
        })) {
            streamed = values.toList();
        }
        assertThat(streamed)
                .isEqualTo(IntStream.range(0, size).mapToObj(i -> "v" + i).toList());
        for (int i = 0; i < size; i++) {
            int expected = permanent.contains(i) ? 1 : plan.expectedAttempts(i, retries);
            assertThat(attempts.get(i)).as("attempts of input %d", i).isEqualTo(expected);
        }
    }

    private static LoopResult<String> run(
            Loop loop, InputForm form, List<Integer> inputs, dev.parfor.Body<Integer, String> body) {
        // A stream's iterator has no size known up front, so the loop reads it lazily.
        return form == InputForm.LIST ? loop.run(inputs, body) : loop.run(inputs.stream()::iterator, body);
    }

    private static String describe(List<Integer> wrong, LoopResult<String> result, AtomicIntegerArray attempts) {
        return wrong.stream()
                .limit(10)
                .map(i -> i + "=(" + result.values().get(i) + ", " + attempts.get(i) + ")")
                .collect(Collectors.joining(", "));
    }
}
