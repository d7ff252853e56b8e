package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.Engines;
import dev.parfor.ErrorPolicy;
import dev.parfor.ParallelForException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Executors an application hands to {@link Engines#executor} may run tasks on the submitting thread, or stop
 * running them when their owner shuts them down. Loops nest on them, and end with a clear error when the executor
 * goes away under them.
 */
class ExecutorAbuseTest {

    /** The contract suite's executors that run tasks on the thread that submits them. */
    static List<EngineCase> submitterRunningExecutors() {
        return EngineCase.all().stream()
                .filter(e -> e.name().equals("executor-inline") || e.name().equals("executor-caller-runs"))
                .toList();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @ParameterizedTest
    @MethodSource("submitterRunningExecutors")
    void shouldCompleteNestedLoopsOnAnExecutorThatRunsTasksOnTheSubmitter(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            List<Integer> sums =
                    session.run(() -> session.parfor()
                            .loop("outer")
                            .parallelism(2)
                            .chunkSize(1)
                            .map(
                                    range(4),
                                    a -> session
                                            .parfor()
                                            .loop("inner")
                                            .parallelism(2)
                                            .chunkSize(1)
                                            .map(range(4), b -> a * 10 + b)
                                            .stream()
                                            .mapToInt(Integer::intValue)
                                            .sum()));
            assertThat(sums).containsExactly(6, 46, 86, 126);
        }
    }

    /** Pools an application owns and may shut down while a loop runs on them. */
    enum OwnedPool {
        /** Two threads and a queue: chunks wait in the queue that shutdownNow() drops. */
        FIXED(() -> Executors.newFixedThreadPool(2)),
        /** One thread, no queue, caller-runs: once shut down, the policy silently discards what it is given. */
        CALLER_RUNS(() -> new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>(), new ThreadPoolExecutor.CallerRunsPolicy()));

        private final Supplier<ExecutorService> factory;

        OwnedPool(Supplier<ExecutorService> factory) {
            this.factory = factory;
        }
    }

    @ParameterizedTest
    @EnumSource(OwnedPool.class)
    void shouldEndTheLoopWithAClearErrorWhenTheOwnerShutsTheExecutorDown(OwnedPool kind) throws Exception {
        ExecutorService pool = kind.factory.get();
        try (Session session = Session.on("owned-pool", Engines.executor(pool, 4), builder -> {})) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch shutDown = new CountDownLatch(1);
            Thread owner = Thread.ofPlatform().daemon().name("pool-owner").start(() -> {
                try {
                    started.await();
                    pool.shutdownNow();
                    shutDown.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            // COLLECT: the interrupted bodies' failures do not stop the loop, so it must notice the dropped chunks.
            // Bodies on the pool's threads wait until shutdownNow() interrupts them; a body the caller-runs policy
            // runs on the caller returns once the pool is shut down, since nothing would interrupt it.
            Throwable thrown = session.thrown(() -> session.parfor()
                    .loop("shut-down-pool")
                    .onError(ErrorPolicy.COLLECT)
                    .chunkSize(1)
                    .forEach(range(50), x -> {
                        started.countDown();
                        shutDown.await(Session.LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                    }));
            Session.join(owner);
            assertThat(thrown).isInstanceOf(ParallelForException.class);
            ParallelForException failure = (ParallelForException) thrown;
            assertThat(failure.loop()).isEqualTo("shut-down-pool");
            assertThat(failure.getMessage()).contains("shut-down-pool");
        } finally {
            pool.shutdownNow();
        }
    }
}
