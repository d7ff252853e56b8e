package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.internal.Timer;
import dev.parfor.spi.Chunk;
import dev.parfor.spi.Engine;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A race in {@link LocalChunk}'s task timeout, replayed step by step; {@link ChunkRaceStressTest} met it about twice
 * in twenty thousand timeouts before it was fixed.
 *
 * <p>The race: the body of input {@code i} returns just as its task timeout fires. The timer task has started, so the
 * runner's {@code timer.cancel(false)} does not stop it; the runner checks {@code state == ENDED}, sees it still
 * RUNNING, and goes on to input {@code i + 1}: it reads the input and only then sets {@code current = i + 1} under the
 * chunk's monitor. If the timer's {@code overran(i)} takes the monitor in between, it still sees {@code current == i},
 * ends the chunk with a timeout for input {@code i}, interrupts the runner and hands the chunk off; the loop runs
 * inputs {@code i + 1} on again in a new chunk. The abandoned runner did not look at the state again: it started the
 * body of input {@code i + 1} (with the interrupt meant for input {@code i} still set), so that body runs twice though
 * the loop has no retries; its second result is dropped. The runner now stops, under the monitor where it sets
 * {@code current}, when the state is no longer RUNNING.
 *
 * <p>The test holds the chunk's monitor (as only the scheduler should) to stop the timer inside {@code overran(0)}
 * (until then the timer thread waits at a gate the test scheduled on it), and uses the input list's {@code get(1)}
 * (user code the runner calls in the window) to hold the runner there. No step depends on time: each waits for the
 * state the previous one produced.
 */
class TaskTimeoutAbandonRaceTest {

    private static final Duration HANG = Duration.ofMinutes(1);

    @Test
    void shouldNotStartTheNextInputOnARunnerTheTimerAbandoned() throws Exception {
        Keeping engine = new Keeping();
        AtomicInteger runsOfInput1 = new AtomicInteger();
        AtomicInteger input1StartedInterrupted = new AtomicInteger();
        Thread[] firstRunner = new Thread[1];
        Flag body0Running = new Flag();
        Flag releaseBody0 = new Flag();
        Flag inGet1 = new Flag();
        Flag releaseGet1 = new Flag();
        List<Integer> inputs = new TwoInputs(() -> {
            if (Thread.currentThread() == firstRunner[0] && !inGet1.isSet()) {
                inGet1.set();
                releaseGet1.await("the test to let the runner read input #1");
            }
        });
        // The shared timer thread waits at a gate until the test holds the chunk's monitor, so that the task timeout
        // cannot act before the test is ready for it, however slow the machine.
        Flag timerAtGate = new Flag();
        Flag openGate = new Flag();
        Timer.schedule(
                () -> {
                    timerAtGate.set();
                    openGate.await("the test to open the timer's gate");
                },
                0);
        timerAtGate.await("the timer to reach the gate");
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (ParallelFor parfor =
                ParallelFor.builder().engine("keeping", engine).build()) {
            Future<LoopResult<Integer>> result = caller.submit(() -> parfor.loop("abandoned-runner")
                    .chunkSize(2)
                    .parallelism(1)
                    .taskTimeout(Duration.ofMillis(20))
                    .onError(ErrorPolicy.COLLECT)
                    .run(inputs, (Integer input) -> {
                        if (input == 0) {
                            firstRunner[0] = Thread.currentThread();
                            body0Running.set();
                            releaseBody0.await("the test to let body #0 return");
                        } else {
                            runsOfInput1.incrementAndGet();
                            if (Thread.currentThread().isInterrupted()) {
                                input1StartedInterrupted.incrementAndGet();
                            }
                        }
                        return input;
                    }));
            body0Running.await("body #0 to start");
            Chunk chunk = engine.first();
            synchronized (chunk) {
                openGate.set();
                // Input #0's task timeout fires and the timer waits here, inside overran(0), for the chunk's monitor.
                Thread timer = awaitBlockedOn(chunk);
                assertThat(timer.getName()).isEqualTo("parfor-timer");
                releaseBody0.set(); // body #0 returns; the runner checks the state (RUNNING) and reads input #1
                inGet1.await("the runner to read input #1");
            }
            // overran(0) now ends the chunk (current is still 0) and interrupts the runner, which is in get(1).
            awaitTrue(() -> firstRunner[0].isInterrupted(), "the timer to abandon the chunk");
            releaseGet1.set();
            LoopResult<Integer> done = result.get(HANG.toNanos(), TimeUnit.NANOSECONDS);
            engine.awaitRunners();

            assertThat(done.failures())
                    .singleElement()
                    .satisfies(f -> assertThat(f.error()).isInstanceOf(TimeoutException.class));
            assertThat(done.values()).containsExactly(null, 1);
            assertThat(runsOfInput1.get())
                    .as(
                            "starts of the body of input #1 (the loop has no retries; %d started with the interrupt meant"
                                    + " for input #0)",
                            input1StartedInterrupted.get())
                    .isEqualTo(1);
        } finally {
            openGate.set();
            releaseBody0.set();
            releaseGet1.set();
            caller.shutdownNow();
        }
    }

    /** The thread blocked entering {@code monitor}'s monitor, once there is one. */
    private static Thread awaitBlockedOn(Object monitor) {
        int identity = System.identityHashCode(monitor);
        Thread[] blocked = new Thread[1];
        awaitTrue(
                () -> {
                    for (Thread thread : Thread.getAllStackTraces().keySet()) {
                        ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(thread.threadId());
                        LockInfo lock = info == null ? null : info.getLockInfo();
                        if (info != null
                                && thread.getName().equals("parfor-timer")
                                && info.getThreadState() == Thread.State.BLOCKED
                                && lock != null
                                && lock.getIdentityHashCode() == identity) {
                            blocked[0] = thread;
                            return true;
                        }
                    }
                    return false;
                },
                "the timer to block on the chunk's monitor");
        return blocked[0];
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        Awaitility.await(what).atMost(HANG).pollInterval(Duration.ofMillis(1)).until(condition::getAsBoolean);
    }

    /** A one-way flag whose {@link #await} ignores interrupts: the bodies here must not be stopped by them. */
    private static final class Flag {
        private volatile boolean set;

        void set() {
            set = true;
        }

        boolean isSet() {
            return set;
        }

        void await(String what) {
            long deadline = System.nanoTime() + HANG.toNanos();
            while (!set) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("waited in vain for " + what);
                }
                Thread.onSpinWait();
            }
        }
    }

    /** The inputs 0 and 1; reading input #1 runs a hook first. */
    private static final class TwoInputs extends AbstractList<Integer> implements RandomAccess {
        private final Runnable beforeGet1;

        TwoInputs(Runnable beforeGet1) {
            this.beforeGet1 = beforeGet1;
        }

        @Override
        public Integer get(int index) {
            if (index == 1) {
                beforeGet1.run();
            }
            return List.of(0, 1).get(index);
        }

        @Override
        public int size() {
            return 2;
        }
    }

    /** A local engine that runs each chunk on a new thread and keeps the chunks it was given. */
    private static final class Keeping implements Engine {
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final List<Chunk> chunks = new ArrayList<>();
        private final List<Future<?>> runs = new ArrayList<>();

        @Override
        public String type() {
            return "keeping";
        }

        @Override
        public int parallelism() {
            return 1;
        }

        @Override
        public synchronized void execute(Chunk chunk) {
            chunks.add(chunk);
            runs.add(threads.submit(chunk::run));
        }

        synchronized @Nullable Chunk firstOrNull() {
            return chunks.isEmpty() ? null : chunks.get(0);
        }

        Chunk first() {
            awaitTrue(() -> firstOrNull() != null, "the first chunk");
            return firstOrNull();
        }

        void awaitRunners() throws Exception {
            List<Future<?>> all;
            synchronized (this) {
                all = List.copyOf(runs);
            }
            for (Future<?> run : all) {
                run.get(HANG.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void close() {
            threads.shutdownNow();
        }
    }
}
