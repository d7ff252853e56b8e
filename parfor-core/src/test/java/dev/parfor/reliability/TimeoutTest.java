package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelForException;
import dev.parfor.TaskFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loop and task deadlines with a body that sleeps forever and a body that spins without looking at its interrupt
 * flag. The loop must return at its deadline either way; how long after it (the overrun) is measured and written to
 * the figures, never asserted against a threshold. {@code @Timeout} is a hang guard only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeoutTest {

    private static final Figures FIGURES = new Figures("timeouts");
    private static final Duration DEADLINE = Duration.ofMillis(300);
    /** A spinning body gives up after this long at most, so a broken deadline shows up as a hang-guard failure. */
    private static final long SPIN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(90);

    private final AtomicBoolean release = new AtomicBoolean();
    private final AtomicInteger spinning = new AtomicInteger();

    @AfterEach
    void releaseSpinners() {
        release.set(true);
        await().atMost(Duration.ofSeconds(30)).until(() -> spinning.get() == 0);
    }

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    static List<Rig.Kind> parallelKinds() {
        return Rig.Kind.parallelOnes();
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void shouldReturnAtTheLoopDeadlineWhenABodySleepsForever(Rig.Kind kind) {
        try (Rig rig = Rig.start(kind)) {
            AtomicInteger interrupted = new AtomicInteger();
            long start = System.nanoTime();
            ParallelForException error = catchThrowableOfType(
                    ParallelForException.class,
                    () -> rig.parfor()
                            .loop("sleeps-forever")
                            .timeout(DEADLINE)
                            .map(IntStream.range(0, 20).boxed().toList(), i -> {
                                try {
                                    Thread.sleep(Long.MAX_VALUE);
                                } catch (InterruptedException e) {
                                    interrupted.incrementAndGet();
                                    throw e;
                                }
                                return i;
                            }));
            long overrun = overrunMillis(start);
            assertThat(error).isNotNull();
            assertThat(error.outcome()).isEqualTo(Outcome.TIMEOUT);
            assertThat(error.getMessage())
                    .contains("loop 'sleeps-forever' timed out after PT0.3S", "raise its timeout");
            await().atMost(Duration.ofSeconds(30)).until(() -> interrupted.get() >= 1);
            record("loop deadline, sleeping body, " + kind, overrun);
        }
    }

    @ParameterizedTest
    @MethodSource("parallelKinds")
    void shouldReturnAtTheLoopDeadlineWhenABodyIgnoresInterruptsAndKeepItsThreadBusy(Rig.Kind kind) {
        try (Rig rig = Rig.start(kind)) {
            long start = System.nanoTime();
            ParallelForException error = catchThrowableOfType(
                    ParallelForException.class,
                    () -> rig.parfor()
                            .loop("spins")
                            .timeout(DEADLINE)
                            .map(IntStream.range(0, 20).boxed().toList(), this::spin));
            long overrun = overrunMillis(start);
            assertThat(error).isNotNull();
            assertThat(error.outcome()).isEqualTo(Outcome.TIMEOUT);
            assertThat(error.getMessage()).contains("loop 'spins' timed out after PT0.3S");
            // The documented cost: a body that ignores interrupts keeps its thread until it returns by itself.
            assertThat(spinning.get())
                    .as("bodies still spinning after the loop returned")
                    .isPositive();
            releaseSpinners(); // before the engine closes, which waits for its busy threads
            record("loop deadline, spinning body, " + kind, overrun);
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void shouldFailEachTaskAtItsTaskDeadlineWhenItSleepsForever(Rig.Kind kind) {
        try (Rig rig = Rig.start(kind)) {
            long start = System.nanoTime();
            LoopResult<Integer> result = rig.parfor()
                    .loop("task-sleeps-forever")
                    .onError(ErrorPolicy.COLLECT)
                    .taskTimeout(DEADLINE)
                    .run(List.of(1, 2), i -> {
                        Thread.sleep(Long.MAX_VALUE);
                        return i;
                    });
            // Two inputs, each given the task deadline; with parallelism 1 they run one after the other.
            long overrun = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                    - DEADLINE.toMillis() * (kind.parallel() ? 1 : 2);
            assertThat(result.failures()).hasSize(2);
            assertThat(result.failures()).extracting(TaskFailure::error).allMatch(e -> e instanceof TimeoutException);
            record("task deadline, sleeping body, " + kind, overrun);
        }
    }

    @ParameterizedTest
    @MethodSource("parallelKinds")
    void shouldFailEachTaskAtItsTaskDeadlineWhenItIgnoresInterrupts(Rig.Kind kind) {
        try (Rig rig = Rig.start(kind)) {
            long start = System.nanoTime();
            LoopResult<Integer> result = rig.parfor()
                    .loop("task-spins")
                    .onError(ErrorPolicy.COLLECT)
                    .parallelism(1)
                    .taskTimeout(DEADLINE)
                    .run(List.of(1, 2), this::spin);
            long overrun = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) - 2 * DEADLINE.toMillis();
            assertThat(result.failures()).hasSize(2);
            assertThat(result.failures()).extracting(TaskFailure::error).allMatch(e -> e instanceof TimeoutException);
            assertThat(spinning.get())
                    .as("bodies still spinning after the loop returned")
                    .isPositive();
            releaseSpinners(); // before the engine closes, which waits for its busy threads
            record("task deadline, spinning body, " + kind, overrun);
        }
    }

    private Integer spin(Integer input) {
        spinning.incrementAndGet();
        try {
            long until = System.nanoTime() + SPIN_LIMIT_NANOS;
            while (!release.get() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return input;
        } finally {
            spinning.decrementAndGet();
        }
    }

    private static long overrunMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) - DEADLINE.toMillis();
    }

    private static void record(String what, long overrunMillis) {
        FIGURES.add("loops run", 1);
        FIGURES.add("faults injected", 1);
        FIGURES.max("longest overrun of a deadline (ms)", overrunMillis);
        FIGURES.note("overrun (ms), " + what, Long.toString(overrunMillis));
    }
}
