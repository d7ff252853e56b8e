package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.TaskFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 200 loops at once from 200 caller threads on one engine. Each caller has its own inputs and its own context; a
 * body that sees another loop's input or context, a result in the wrong slot or a failure at the wrong index is
 * cross-talk. {@code @Timeout} is a hang guard.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoadTest {

    private static final Figures FIGURES = new Figures("load");
    private static final int CALLERS = 200;
    private static final int INPUTS = 500;

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    record Caller(int id) {}

    static List<Rig.Kind> parallelKinds() {
        return Rig.Kind.parallelOnes();
    }

    @ParameterizedTest
    @MethodSource("parallelKinds")
    void shouldRunTwoHundredConcurrentLoopsWithoutCrossTalk(Rig.Kind kind) throws Exception {
        try (Rig rig = Rig.start(kind)) {
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger crossTalk = new AtomicInteger();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < CALLERS; t++) {
                Caller caller = new Caller(t);
                threads.add(Thread.ofPlatform().name("load-caller-" + t).start(() -> {
                    try {
                        go.await();
                        runOne(rig, caller, crossTalk, problems);
                    } catch (Throwable e) {
                        problems.add("caller " + caller.id() + ": " + e);
                    }
                }));
            }
            go.countDown();
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(100));
                assertThat(thread.isAlive())
                        .as("%s still running", thread.getName())
                        .isFalse();
            }
            assertThat(problems).isEmpty();
            assertThat(crossTalk.get())
                    .as("bodies that saw another loop's input or context")
                    .isZero();
            assertThat(rig.parfor().running()).isEmpty();
            FIGURES.add("loops run", CALLERS);
            FIGURES.add("inputs", (long) CALLERS * INPUTS);
            FIGURES.add("faults injected", (long) CALLERS / 2 * ((INPUTS + 6) / 7));
        }
    }

    private static void runOne(
            Rig rig, Caller caller, AtomicInteger crossTalk, ConcurrentLinkedQueue<String> problems) {
        int id = caller.id();
        List<Long> inputs =
                IntStream.range(0, INPUTS).mapToObj(i -> id * 1_000_000L + i).toList();
        if (id % 2 == 0) {
            List<String> values = rig.parfor().map(inputs, caller, (x, c) -> {
                if (x / 1_000_000 != c.id()) {
                    crossTalk.incrementAndGet();
                }
                return c.id() + ":" + x;
            });
            List<String> expected = inputs.stream().map(x -> id + ":" + x).toList();
            if (!values.equals(expected)) {
                problems.add("caller " + id + " got wrong values");
            }
            return;
        }
        // Odd callers collect failures at every 7th input, so failures of concurrent loops could mix.
        LoopResult<String> result = rig.parfor()
                .loop("load-" + (id % 4))
                .onError(ErrorPolicy.COLLECT)
                .run(inputs, caller, (x, c) -> {
                    if (x / 1_000_000 != c.id()) {
                        crossTalk.incrementAndGet();
                    }
                    if (x % 7 == 0) {
                        throw new IllegalStateException("caller " + c.id() + " input " + x);
                    }
                    return c.id() + ":" + x;
                });
        for (int i = 0; i < INPUTS; i++) {
            long x = inputs.get(i);
            Object expected = x % 7 == 0 ? null : id + ":" + x;
            if (!java.util.Objects.equals(result.values().get(i), expected)) {
                problems.add("caller " + id + " slot " + i + " holds "
                        + result.values().get(i));
                return;
            }
        }
        List<Long> failedInputs =
                result.failures().stream().map(f -> (Long) f.input()).toList();
        List<Long> expectedFailed = inputs.stream().filter(x -> x % 7 == 0).toList();
        if (!failedInputs.equals(expectedFailed)) {
            problems.add("caller " + id + " failures at " + failedInputs);
        }
        for (TaskFailure f : result.failures()) {
            if (!f.error().getMessage().equals("caller " + id + " input " + f.input())) {
                problems.add("caller " + id + " got another loop's error "
                        + f.error().getMessage());
            }
        }
    }
}
