package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.Outcome;
import dev.parfor.ParallelForException;
import dev.parfor.Progress;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cancellation from outside the loop: the caller interrupted, a result stream closed early, and the whole
 * {@code ParallelFor} shut down while a loop runs. Each ends promptly with a clear error and leaves nothing running.
 * {@code @Timeout} is a hang guard.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancellationTest {

    private static final Figures FIGURES = new Figures("cancellation");

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    /** Runs a loop of bodies that sleep for a minute on another thread, as a caller would. */
    private static final class Caller {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();
        final AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
        final AtomicBoolean interruptFlagAfter = new AtomicBoolean();
        final Thread thread;

        Caller(Rig rig, String loop) {
            thread = Thread.ofPlatform().name("caller-" + loop).start(() -> {
                try {
                    rig.parfor()
                            .loop(loop)
                            .chunkSize(1)
                            .map(IntStream.range(0, 100).boxed().toList(), i -> {
                                started.incrementAndGet();
                                try {
                                    Thread.sleep(60_000);
                                } catch (InterruptedException e) {
                                    interrupted.incrementAndGet();
                                    throw e;
                                }
                                return i;
                            });
                } catch (Throwable e) {
                    error.set(e);
                }
                interruptFlagAfter.set(Thread.currentThread().isInterrupted());
            });
        }

        void awaitEnd() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("caller still blocked in the loop").isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void shouldCancelTheLoopAndRestoreTheFlagWhenTheCallerIsInterrupted(Rig.Kind kind) throws Exception {
        try (Rig rig = Rig.start(kind)) {
            Caller caller = new Caller(rig, "interrupted-caller");
            await().atMost(Duration.ofSeconds(30)).until(() -> caller.started.get() >= rig.parallelism());
            caller.thread.interrupt();
            caller.awaitEnd();

            assertThat(caller.error.get())
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining(
                            "loop 'interrupted-caller' was cancelled: the calling thread was interrupted");
            assertThat(((ParallelForException) caller.error.get()).outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(caller.interruptFlagAfter.get())
                    .as("interrupt flag restored")
                    .isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> caller.interrupted.get() == caller.started.get());
            assertThat(caller.started.get()).as("inputs started").isLessThan(100);
            assertThat(rig.parfor().running()).isEmpty();
            FIGURES.add("loops run", 1);
            FIGURES.add("faults injected", 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void shouldCancelTheRestWhenAResultStreamIsClosedEarly(Rig.Kind kind) {
        List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        LoopListener listener = new LoopListener() {
            @Override
            public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
                outcomes.add(outcome);
            }
        };
        try (Rig rig = Rig.start(kind, listener)) {
            AtomicInteger started = new AtomicInteger();
            Iterator<Integer> endless = Stream.iterate(0, i -> i + 1).iterator();
            List<Integer> first;
            try (Stream<Integer> results = rig.parfor().loop("closed-early").stream(() -> endless, i -> {
                started.incrementAndGet();
                return i;
            })) {
                first = results.limit(50).toList();
            }
            assertThat(first).isEqualTo(IntStream.range(0, 50).boxed().toList());
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.contains(Outcome.CANCELLED));
            int after = started.get();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> started.get() == after);
            assertThat(rig.parfor().running()).isEmpty();
            FIGURES.add("loops run", 1);
            FIGURES.add("faults injected", 1);
            FIGURES.max("inputs run beyond the 50 read before the stream was closed (max)", after - 50);
        }
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void shouldCancelARunningLoopWithAClearErrorWhenShutDown(Rig.Kind kind) throws Exception {
        try (Rig rig = Rig.start(kind)) {
            Caller caller = new Caller(rig, "at-shutdown");
            await().atMost(Duration.ofSeconds(30)).until(() -> caller.started.get() >= rig.parallelism());
            rig.parfor().shutdown(Duration.ofMillis(100));
            caller.awaitEnd();

            assertThat(caller.error.get())
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("loop 'at-shutdown' was cancelled: parfor is shutting down and the loop did"
                            + " not finish within PT0.1S");
            assertThat(((ParallelForException) caller.error.get()).outcome()).isEqualTo(Outcome.CANCELLED);
            await().atMost(Duration.ofSeconds(30)).until(() -> caller.interrupted.get() == caller.started.get());
            assertThat(rig.parfor().isShutdown()).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> rig.parfor().map(List.of(1), i -> i))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("parfor is shut down; loop '")
                    .hasMessageContaining("was not started");
            FIGURES.add("loops run", 1);
            FIGURES.add("faults injected", 1);
        }
    }
}
