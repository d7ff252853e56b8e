package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.parfor.Engines;
import dev.parfor.Loop;
import dev.parfor.ParallelFor;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Durations are checked when they are set: one too large to schedule is refused at once, with the parameter, the
 * value as written and the largest accepted, instead of an {@code ArithmeticException} while the loop runs. A
 * refused call changes nothing, so a correct second call succeeds.
 */
class OptionRefusalTest {

    /** Durations whose nanoseconds do not fit in a long. */
    static List<Duration> tooLarge() {
        return List.of(
                ChronoUnit.FOREVER.getDuration(), Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(365L * 300));
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static Session session() {
        return Session.on("fork-join", Engines.forkJoin(2), builder -> {});
    }

    /**
     * The call is refused with an {@link IllegalArgumentException} naming {@code parameter} and {@code value}, and
     * the message says what is accepted (a number beside the refused value).
     */
    private static void assertRefused(Runnable call, String parameter, Duration value) {
        Throwable refused = catchThrowable(call::run);
        assertThat(refused).isInstanceOf(IllegalArgumentException.class);
        String message = refused.getMessage();
        assertThat(message).contains(parameter, value.toString());
        assertThat(message.replace(value.toString(), ""))
                .as("names the largest accepted value")
                .containsPattern("\\d");
    }

    /** After a refused call, {@code correct} succeeds and the loop runs. */
    private static void assertLoopStillWorks(Session session, Loop loop, Consumer<Loop> correct) {
        correct.accept(loop);
        assertThat(session.run(() -> loop.map(range(3), x -> x + 1))).containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @MethodSource("tooLarge")
    void shouldRefuseATimeoutTooLargeToSchedule(Duration huge) {
        try (Session session = session()) {
            Loop loop = session.parfor().loop("huge-timeout");
            assertRefused(() -> loop.timeout(huge), "timeout", huge);
            assertLoopStillWorks(session, loop, l -> l.timeout(Duration.ofMinutes(1)));
        }
    }

    @ParameterizedTest
    @MethodSource("tooLarge")
    void shouldRefuseATaskTimeoutTooLargeToSchedule(Duration huge) {
        try (Session session = session()) {
            Loop loop = session.parfor().loop("huge-task-timeout");
            assertRefused(() -> loop.taskTimeout(huge), "taskTimeout", huge);
            assertLoopStillWorks(session, loop, l -> l.taskTimeout(Duration.ofMinutes(1)));
        }
    }

    @ParameterizedTest
    @MethodSource("tooLarge")
    void shouldRefuseARetryBackoffTooLargeToSchedule(Duration huge) {
        try (Session session = session()) {
            Loop loop = session.parfor().loop("huge-backoff");
            assertRefused(() -> loop.retries(2, huge), "backoff", huge);
            assertLoopStillWorks(session, loop, l -> l.retries(2, Duration.ofMillis(1)));
        }
    }

    @ParameterizedTest
    @MethodSource("tooLarge")
    void shouldRefuseAShutdownGraceTooLargeToScheduleAndKeepRunning(Duration huge) {
        try (Session session = session()) {
            ParallelFor parfor = session.parfor();
            assertRefused(() -> parfor.shutdown(huge), "grace", huge);
            assertThat(parfor.isShutdown()).as("shut down by a refused call").isFalse();
            assertThat(session.run(() -> parfor.loop("after-refused-shutdown").map(range(3), x -> x + 1)))
                    .containsExactly(1, 2, 3);
        }
    }

    /** Option calls refused for one bad argument among several: the other arguments must not stick. */
    static Stream<RefusedCall> refusedCalls() {
        return Stream.of(
                new RefusedCall(
                        "retries with a negative backoff",
                        l -> l.retries(2, Duration.ofMillis(-1)),
                        l -> l.retries(2, Duration.ZERO)),
                new RefusedCall(
                        "progress with a zero interval",
                        l -> l.progress(p -> {}, Duration.ZERO),
                        l -> l.progress(p -> {}, Duration.ofMillis(10))),
                new RefusedCall(
                        "timeout of FOREVER",
                        l -> l.timeout(ChronoUnit.FOREVER.getDuration()),
                        l -> l.timeout(Duration.ofMinutes(1))),
                new RefusedCall(
                        "taskTimeout of FOREVER",
                        l -> l.taskTimeout(ChronoUnit.FOREVER.getDuration()),
                        l -> l.taskTimeout(Duration.ofMinutes(1))));
    }

    record RefusedCall(String name, Consumer<Loop> refused, Consumer<Loop> correct) {
        @Override
        public String toString() {
            return name;
        }
    }

    @ParameterizedTest
    @MethodSource("refusedCalls")
    void shouldLeaveTheLoopUnchangedWhenAnOptionCallIsRefused(RefusedCall call) {
        try (Session session = session()) {
            Loop loop = session.parfor().loop("refused-then-correct");
            assertThat(catchThrowable(() -> call.refused().accept(loop))).isInstanceOf(IllegalArgumentException.class);
            assertLoopStillWorks(session, loop, call.correct());
        }
    }
}
