package dev.parfor;

import dev.parfor.spi.Engine;
import java.util.concurrent.Executor;

/**
 * The built-in engines. Each call creates a new engine; an engine given to {@link ParallelFor#create} or
 * {@link ParallelFor.Builder#engine} is closed with the {@code ParallelFor}.
 *
 * <pre>{@code
 * ParallelFor parfor = ParallelFor.builder()
 *         .engine("cpu", Engines.forkJoin(4)) // the first registered is the default
 *         .engine("io", Engines.virtualThreads(200))
 *         .build();
 * }</pre>
 */
public final class Engines {

    private Engines() {}

    /**
     * Runs every task on the caller's thread, in input order: exact for-loop semantics, for debugging and tests.
     * Under {@link ErrorPolicy#FAIL_FAST} it stops at the first failure.
     *
     * @return the engine
     */
    public static Engine sequential() {
        return new SequentialEngine();
    }

    /**
     * A dedicated work-stealing {@link java.util.concurrent.ForkJoinPool} (never the common pool): for CPU-bound
     * bodies, usually with one thread per processor ({@code Runtime.getRuntime().availableProcessors()}). Its
     * threads are daemons named after the name the engine is registered under: {@code parfor-<name>-<n>}.
     *
     * @param parallelism threads in the pool, at least 1
     * @return the engine
     */
    public static Engine forkJoin(int parallelism) {
        return new ForkJoinEngine(Checks.positive(parallelism, "parallelism"));
    }

    /**
     * A virtual thread per task, at most {@code maxConcurrency} at once so that what the bodies call is protected:
     * for blocking I/O. Its threads are named after the name the engine is registered under: {@code
     * parfor-<name>-<n>}.
     *
     * @param maxConcurrency tasks running at once, at least 1
     * @return the engine
     */
    public static Engine virtualThreads(int maxConcurrency) {
        return new VirtualThreadEngine(Checks.positive(maxConcurrency, "maxConcurrency"));
    }

    /**
     * Runs tasks on an executor the application already has, at most {@code parallelism} of a loop at once. The
     * executor is not shut down when the engine closes: its owner does that. It may run tasks inline (a direct
     * executor, or a saturated pool with a caller-runs policy); an executor service shut down while a loop's tasks
     * wait in it ends that loop with a clear error.
     *
     * @param executor the executor
     * @param parallelism tasks of one loop running at once, at least 1
     * @return the engine
     */
    public static Engine executor(Executor executor, int parallelism) {
        return new ExecutorEngine(Checks.notNull(executor, "executor"), Checks.positive(parallelism, "parallelism"));
    }
}
