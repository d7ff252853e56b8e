package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelForException;
import dev.parfor.spi.Engine;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fail-fast on every local engine: the first failure interrupts running tasks, nothing starts after it beyond what
 * was already handed to the engine, and thousands of loops leave no thread behind. {@code @Timeout} is a hang guard.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailFastTest {

    private static final Figures FIGURES = new Figures("fail-fast");

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    static final class Boom extends RuntimeException {
        Boom(String message) {
            super(message);
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void shouldInterruptRunningTasksAfterFirstFailure(Rig.Kind kind) {
        try (Rig rig = Rig.start(kind)) {
            int p = rig.parallelism();
            int failing = p - 1; // the last input of the first dispatch; the ones before it sleep
            AtomicInteger sleeping = new AtomicInteger();
            AtomicInteger interrupted = new AtomicInteger();
            AtomicLong failedAt = new AtomicLong(Long.MAX_VALUE);
            ConcurrentLinkedQueue<Long> starts = new ConcurrentLinkedQueue<>();

            ParallelForException error = catchThrowableOfType(
                    ParallelForException.class,
                    () -> rig.parfor()
                            .loop("fail-fast")
                            .chunkSize(1)
                            .map(IntStream.range(0, 200).boxed().toList(), i -> {
                                starts.add(System.nanoTime());
                                if (i == failing) {
                                    await().atMost(Duration.ofSeconds(30)).until(() -> sleeping.get() >= p - 1);
                                    failedAt.set(System.nanoTime());
                                    throw new Boom("input " + i + " is broken");
                                }
                                sleeping.incrementAndGet();
                                try {
                                    Thread.sleep(TimeUnit.SECONDS.toMillis(60));
                                } catch (InterruptedException e) {
                                    interrupted.incrementAndGet();
                                    throw e;
                                }
                                return i;
                            }));

            assertThat(error).isNotNull();
            assertThat(error.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(error.getCause()).isInstanceOf(Boom.class).hasMessage("input " + failing + " is broken");
            assertThat(error.getMessage()).contains("loop 'fail-fast' failed at input #" + failing, "is broken");
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(interrupted.get())
                            .as("running tasks interrupted")
                            .isEqualTo(p - 1));
            long late = starts.stream().filter(t -> t > failedAt.get()).count();
            assertThat(late).as("tasks started after the first failure").isLessThanOrEqualTo(p);
            FIGURES.add("loops run", 1);
            FIGURES.add("faults injected", 1);
            FIGURES.add("running tasks interrupted", interrupted.get());
            FIGURES.max("tasks started after the first failure (max)", late);
        }
    }

    @Test
    void shouldLeaveNoThreadBehindAfterTenThousandFailedAndSuccessfulLoops() {
        // Warm up what the JVM and parfor create once (the shared timer thread, class loading) before the baseline.
        Threads.warmUp();
        for (Rig.Kind kind : Rig.Kind.values()) {
            try (Rig rig = Rig.start(kind)) {
                runMixed(rig, 0);
                runMixed(rig, 1);
                runMixed(rig, 499);
            }
        }
        Set<Thread> baseline = Threads.live();
        int loops = 0;
        int faults = 0;
        for (Rig.Kind kind : Rig.Kind.values()) {
            try (Rig rig = Rig.start(kind)) {
                for (int n = 0; n < 2_500; n++) {
                    faults += runMixed(rig, n);
                    loops++;
                }
                Engine engine = rig.parfor().engines().get(kind.engineName);
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(
                                        engine.stats().map(s -> s.activeCount()).orElse(-1))
                                .as("tasks still active on %s (-1: the engine does not count)", kind)
                                .isLessThanOrEqualTo(0));
                assertThat(rig.parfor().running()).as("loops still registered").isEmpty();
            }
        }
        List<String> leaked = Threads.awaitNoneNewSince(baseline);
        assertThat(leaked)
                .as("threads alive after %d loops that were not before", loops)
                .isEmpty();
        FIGURES.add("loops run", loops);
        FIGURES.add("faults injected", faults);
        FIGURES.set("threads leaked", leaked.size());
    }

    /** One loop of a mix: success, fail-fast failure, collected failures, a retried input, a loop timeout. */
    private static int runMixed(Rig rig, int n) {
        List<Integer> inputs = IntStream.range(0, 1 + n % 40).boxed().toList();
        switch (n % 5) {
            case 0 -> assertThat(rig.parfor().map(inputs, i -> i * 2)).hasSize(inputs.size());
            case 1 -> {
                ParallelForException e = catchThrowableOfType(
                        ParallelForException.class,
                        () -> rig.parfor().map(inputs, i -> {
                            if (i == inputs.size() / 2) {
                                throw new Boom("broken " + i);
                            }
                            return i;
                        }));
                assertThat(e).isNotNull();
                return 1;
            }
            case 2 -> {
                LoopResult<Integer> r = rig.parfor()
                        .loop("collect")
                        .onError(ErrorPolicy.COLLECT)
                        .run(inputs, i -> {
                            if (i % 3 == 0) {
                                throw new Boom("broken " + i);
                            }
                            return i;
                        });
                assertThat(r.failures()).hasSize((inputs.size() + 2) / 3);
                return r.failures().size();
            }
            case 3 -> {
                AtomicInteger attempts = new AtomicInteger();
                List<Integer> r = rig.parfor()
                        .loop("retry")
                        .retries(1, Duration.ZERO)
                        .map(List.of(1), i -> {
                            if (attempts.incrementAndGet() == 1) {
                                throw new Boom("transient");
                            }
                            return i;
                        });
                assertThat(r).containsExactly(1);
                return 1;
            }
            default -> {
                if (n % 500 == 499) {
                    ParallelForException e = catchThrowableOfType(
                            ParallelForException.class,
                            () -> rig.parfor()
                                    .loop("deadline")
                                    .timeout(Duration.ofMillis(5))
                                    .map(List.of(1, 2), i -> {
                                        Thread.sleep(60_000);
                                        return i;
                                    }));
                    assertThat(e.outcome()).isEqualTo(Outcome.TIMEOUT);
                    return 1;
                }
                rig.parfor().loop().forEach(inputs, i -> {});
            }
        }
        return 0;
    }
}
