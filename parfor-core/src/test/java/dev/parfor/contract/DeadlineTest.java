package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelForException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A loop returns at its deadline whatever its user code does, and no loop's user code can stop another loop's
 * timers: a source whose {@code next()} blocks, and a loop that ran tiny before and so would run on the caller.
 */
class DeadlineTest {

    private static final Duration TIMEOUT = Duration.ofMillis(200);

    static List<EngineCase> engines() {
        return EngineCase.all();
    }

    /**
     * The engines whose bodies never run on the caller. The tiny-loop shortcut moves a loop onto the caller, where
     * nothing can stop a body that ignores interrupts; the sequential and inline engines run there by design, and
     * the caller-runs pool may run any body there, so they cannot promise a deadline to such a body.
     */
    static List<EngineCase> workerEngines() {
        return EngineCase.concurrentOnes().stream()
                .filter(e -> !e.name().equals("executor-caller-runs"))
                .toList();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /**
     * A queue-backed source, as a consumer of a message queue writes one: it yields what is queued and then blocks in
     * {@code hasNext()} until more comes or {@link #end()} is called.
     */
    static final class QueueSource implements Iterator<Integer> {
        private static final int END = -1;
        private final BlockingQueue<Integer> queue = new LinkedBlockingQueue<>();
        private final CountDownLatch blocked = new CountDownLatch(1);
        private Integer head;

        QueueSource(int queued) {
            queue.addAll(IntStream.range(0, queued).boxed().toList());
        }

        @Override
        public boolean hasNext() {
            if (head == null) {
                if (queue.isEmpty()) {
                    blocked.countDown();
                }
                try {
                    head = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the next input", e);
                }
            }
            return head != END;
        }

        @Override
        public Integer next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Integer value = head;
            head = null;
            return value;
        }

        void awaitBlocked() throws InterruptedException {
            assertThat(blocked.await(Session.LIMIT.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the loop read the source until it blocked")
                    .isTrue();
        }

        void end() {
            queue.add(END);
        }

        /** This source as a one-shot {@code Iterable}, the form a loop takes. */
        Iterable<Integer> once() {
            return () -> this;
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldReturnAtTheTimeoutWhileTheSourceBlocks(EngineCase engine) {
        QueueSource source = new QueueSource(4);
        try (Session session = Session.on(engine)) {
            Throwable thrown = session.thrown(() ->
                    session.parfor().loop("blocked-source").timeout(TIMEOUT).forEach(source.once(), x -> {}));
            assertThat(thrown).isInstanceOf(ParallelForException.class);
            ParallelForException failure = (ParallelForException) thrown;
            assertThat(failure.outcome()).isEqualTo(Outcome.TIMEOUT);
            assertThat(failure.loop()).isEqualTo("blocked-source");
            assertThat(failure.getMessage()).contains("blocked-source");
        } finally {
            source.end();
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFireAnotherLoopsTaskTimeoutWhileOneLoopsSourceBlocks(EngineCase engine) throws Exception {
        QueueSource source = new QueueSource(4);
        try (Session session = Session.on(engine)) {
            AtomicReference<Throwable> blockedLoop = new AtomicReference<>();
            long started = System.nanoTime();
            Thread blocked = Thread.ofPlatform()
                    .daemon()
                    .name("blocked-source-caller")
                    .start(() -> {
                        try {
                            session.parfor()
                                    .loop("blocked-source")
                                    .timeout(TIMEOUT)
                                    .forEach(source.once(), x -> {});
                        } catch (Throwable t) {
                            blockedLoop.set(t);
                        }
                    });
            source.awaitBlocked();
            // Wait until the blocked loop's deadline has passed (or the loop ended), so that its timeout has fired
            // on the shared timer before the second loop needs that timer.
            await().atMost(Session.LIMIT)
                    .until(() -> !blocked.isAlive() || System.nanoTime() - started > TimeUnit.SECONDS.toNanos(1));

            LoopResult<Integer> other = session.run(() -> session.parfor()
                    .loop("task-timeout")
                    .onError(ErrorPolicy.COLLECT)
                    .chunkSize(1)
                    .taskTimeout(Duration.ofMillis(100))
                    .run(range(3), x -> {
                        if (x == 1) {
                            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
                        }
                        return x;
                    }));
            assertThat(other.failures()).singleElement().satisfies(f -> {
                assertThat(f.index()).isEqualTo(1);
                assertThat(f.error()).isInstanceOf(TimeoutException.class);
            });
            assertThat(other.values()).containsExactly(0, null, 2);

            Session.join(blocked);
            assertThat(blockedLoop.get()).isInstanceOf(ParallelForException.class);
            assertThat(((ParallelForException) blockedLoop.get()).outcome()).isEqualTo(Outcome.TIMEOUT);
        } finally {
            source.end();
        }
    }

    @ParameterizedTest
    @MethodSource("workerEngines")
    void shouldHonourTheTimeoutOfALoopLearnedAsTiny(EngineCase engine) {
        AtomicBoolean release = new AtomicBoolean();
        try (Session session = Session.on(engine)) {
            // Run the same loop a few times with a trivial body, so that parfor learns it is tiny.
            for (int i = 0; i < 5; i++) {
                assertThat(session.run(
                                () -> session.parfor().loop("learned-tiny").map(range(10), x -> x + 1)))
                        .hasSize(10);
            }
            // Then once with a body that ignores interrupts until released, as a body stuck in a computation does:
            // on a worker thread the loop returns at its deadline and leaves the body behind.
            Throwable thrown = session.thrown(() -> session.parfor()
                    .loop("learned-tiny")
                    .timeout(TIMEOUT)
                    .map(range(10), x -> {
                        while (x == 0 && !release.get()) {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                        }
                        return x + 1;
                    }));
            release.set(true);
            assertThat(thrown).isInstanceOf(ParallelForException.class);
            ParallelForException failure = (ParallelForException) thrown;
            assertThat(failure.outcome()).isEqualTo(Outcome.TIMEOUT);
            assertThat(failure.loop()).isEqualTo("learned-tiny");
        } finally {
            release.set(true);
        }
    }
}
