package dev.parfor.contract;

import dev.parfor.Engines;
import dev.parfor.spi.Engine;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One engine of the contract suite; every behavioural test runs once per case.
 *
 * <p>Besides the engines parfor ships, the cases include the executors that applications hand to
 * {@link Engines#executor} and that a scheduler must survive: one that runs every task inline on the submitting
 * thread, and a saturated pool whose {@link ThreadPoolExecutor.CallerRunsPolicy} runs overflow on the submitter.
 *
 * @param name the engine's name in the {@code ParallelFor}
 * @param factory a new engine per test
 * @param concurrent whether the engine can run two bodies of one loop at the same time; tests whose bodies wait for
 *     each other need it, and run only on such engines
 */
public record EngineCase(String name, Supplier<Engine> factory, boolean concurrent) {

    @Override
    public String toString() {
        return name;
    }

    /**
     * The case named {@code name}.
     *
     * @throws IllegalArgumentException when there is none, naming the cases there are
     */
    public static EngineCase named(String name) {
        return all().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("no engine case '" + name + "'; the cases are " + all()));
    }

    public static List<EngineCase> all() {
        return List.of(
                new EngineCase("sequential", Engines::sequential, false),
                new EngineCase("fork-join", () -> Engines.forkJoin(2), true),
                new EngineCase("virtual", () -> Engines.virtualThreads(4), true),
                new EngineCase("executor", () -> Engines.executor(pool(2, new LinkedBlockingQueue<>(), null), 2), true),
                // Runnable::run runs each task on the thread that submits it: no task ever runs beside another.
                new EngineCase("executor-inline", () -> Engines.executor(Runnable::run, 2), false),
                // One thread, no queue, parallelism 4: every submission beyond the first runs on the submitter.
                new EngineCase(
                        "executor-caller-runs",
                        () -> Engines.executor(
                                pool(1, new SynchronousQueue<>(), new ThreadPoolExecutor.CallerRunsPolicy()), 4),
                        true));
    }

    public static List<EngineCase> concurrentOnes() {
        return all().stream().filter(EngineCase::concurrent).toList();
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    /**
     * A pool the application owns, as {@link Engines#executor} expects (closing the engine does not shut it down).
     * Its threads are daemons that end after a second idle, so a pool left behind by a test goes away by itself
     * without the test reaching into the engine.
     */
    private static ThreadPoolExecutor pool(
            int threads, BlockingQueue<Runnable> queue, @Nullable RejectedExecutionHandler rejected) {
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "contract-pool-" + pool + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        ThreadPoolExecutor executor = rejected == null
                ? new ThreadPoolExecutor(threads, threads, 1, TimeUnit.SECONDS, queue, factory)
                : new ThreadPoolExecutor(threads, threads, 1, TimeUnit.SECONDS, queue, factory, rejected);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
