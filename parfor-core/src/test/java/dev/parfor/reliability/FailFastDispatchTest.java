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
 * Fail-fast dispatch: once the loop has taken in that an input failed for good, no input starts but the one each other
 * worker may have been about to start. The loop reads the failure's message to build its own only after it halted its
 * workers, so the first read of the message marks a moment the halt had happened by, and the bound holds however
 * threads are scheduled, on every engine and wherever the failure is. How soon after the body threw the loop halts is
 * a matter of speed, for the benchmarks. {@code @Timeout} is a hang guard.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FailFastDispatchTest {

    private static final Figures FIGURES = new Figures("fail-fast-dispatch");

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    /** A failure that notes when its message is first read. */
    static final class Boom extends RuntimeException {
        final AtomicLong firstRead = new AtomicLong(Long.MAX_VALUE);

        Boom(String message) {
            super(message);
        }

        @Override
        public String getMessage() {
            firstRead.compareAndSet(Long.MAX_VALUE, System.nanoTime());
            return super.getMessage();
        }
    }

    /** An input's start. */
    record Start(long nanos, int input, String thread) {}

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void shouldStartNoInputAfterTheLoopTookTheFailureInBeyondOnePerWorker(Rig.Kind kind) {
        try (Rig rig = Rig.start(kind)) {
            int p = rig.parallelism();
            for (int failing : new int[] {0, 37, 5_000, 9_999}) {
                Boom boom = new Boom("input " + failing + " is broken");
                ConcurrentLinkedQueue<Start> starts = new ConcurrentLinkedQueue<>();
                ParallelForException error = catchThrowableOfType(
                        ParallelForException.class,
                        () -> rig.parfor()
                                .loop("fail-fast-chunks")
                                .chunkSize(8)
                                .forEach(IntStream.range(0, 10_000).boxed().toList(), i -> {
                                    starts.add(new Start(
                                            System.nanoTime(),
                                            i,
                                            Thread.currentThread().getName()));
                                    if (i == failing) {
                                        throw boom;
                                    }
                                }));
                assertThat(error).isNotNull();
                assertThat(error.failures()).extracting(f -> f.index()).containsExactly((long) failing);
                long halted = boom.firstRead.get();
                assertThat(halted).as("the failure's message, read by the loop").isNotEqualTo(Long.MAX_VALUE);
                List<Start> late = starts.stream()
                        .filter(s -> s.nanos() > halted)
                        .sorted(java.util.Comparator.comparingLong(Start::nanos))
                        .toList();
                assertThat(late)
                        .as("inputs started after loop took in the failure of input %d", failing)
                        .hasSizeLessThanOrEqualTo(p);
                FIGURES.add("loops run", 1);
                FIGURES.add("faults injected", 1);
                FIGURES.max("tasks started after the failure was taken in (max)", late.size());
            }
        }
    }
}
