package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.parfor.ParallelForException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fail-fast dispatch: once an input has failed, no input starts beyond the chunks already handed to the engine, so
 * at most {@code parallelism x chunkSize} inputs start after the failing body threw. Start events are recorded with
 * their time; the bound holds whatever the engine and wherever the failure is. {@code @Timeout} is a hang guard.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailFastDispatchTest {

    private static final Figures FIGURES = new Figures("fail-fast-dispatch");

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    static final class Boom extends RuntimeException {
        Boom(String message) {
            super(message);
        }
    }

    record Start(long nanos, int input, String thread) {}

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void shouldStartNoChunkAfterTheFirstFailureBeyondThoseAlreadyDispatched(Rig.Kind kind) {
        try (Rig rig = Rig.start(kind)) {
            int p = rig.parallelism();
            int chunk = 8;
            for (int failing : new int[] {0, 37, 5_000, 9_999}) {
                AtomicLong failedAt = new AtomicLong(Long.MAX_VALUE);
                ConcurrentLinkedQueue<Start> starts = new ConcurrentLinkedQueue<>();
                ParallelForException error = catchThrowableOfType(
                        ParallelForException.class,
                        () -> rig.parfor()
                                .loop("fail-fast-chunks")
                                .chunkSize(chunk)
                                .forEach(IntStream.range(0, 10_000).boxed().toList(), i -> {
                                    starts.add(new Start(
                                            System.nanoTime(),
                                            i,
                                            Thread.currentThread().getName()));
                                    if (i == failing) {
                                        // Built first: filling in its stack trace is the body's time, not the loop's.
                                        Boom boom = new Boom("input " + i + " is broken");
                                        failedAt.set(System.nanoTime());
                                        throw boom;
                                    }
                                }));
                assertThat(error).isNotNull();
                assertThat(error.failures()).extracting(f -> f.index()).containsExactly((long) failing);
                List<Start> lateStarts = starts.stream()
                        .filter(s -> s.nanos() > failedAt.get())
                        .sorted(java.util.Comparator.comparingLong(Start::nanos))
                        .toList();
                long late = lateStarts.size();
                assertThat(late)
                        .as(
                                "inputs started after the failure of input %d: %s",
                                failing,
                                lateStarts.stream()
                                        .limit(30)
                                        .map(s -> s.input() + "@" + s.thread() + "+"
                                                + (s.nanos() - failedAt.get()) / 1000 + "us")
                                        .toList())
                        .isLessThanOrEqualTo((long) p * chunk);
                FIGURES.add("loops run", 1);
                FIGURES.add("faults injected", 1);
                FIGURES.max("tasks started after the first failure (max)", late);
            }
        }
    }
}
