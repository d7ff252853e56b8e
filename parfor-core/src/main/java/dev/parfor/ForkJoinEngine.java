package dev.parfor;

import dev.parfor.spi.Chunk;
import dev.parfor.spi.Engine;
import dev.parfor.spi.EngineStats;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;

/** A dedicated ForkJoinPool; a chunk submitted from one of its workers goes to that worker's own queue. */
final class ForkJoinEngine implements Engine, EngineStats, NamedThreads {

    private final ForkJoinPool pool;
    /** Read when the pool starts a thread, which it does lazily: set before the first loop, it names them all. */
    private volatile String threadNamePrefix = "parfor-fork-join-";

    ForkJoinEngine(int parallelism) {
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = p -> {
            ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            thread.setName(threadNamePrefix + thread.getPoolIndex());
            thread.setDaemon(true);
            return thread;
        };
        // Chunks never throw (failures are part of their outcome), so the handler only sees parfor bugs.
        this.pool = new ForkJoinPool(parallelism, factory, null, false);
    }

    @Override
    public void nameThreads(String prefix) {
        threadNamePrefix = prefix;
    }

    @Override
    public String type() {
        return "fork-join";
    }

    @Override
    public int parallelism() {
        return pool.getParallelism();
    }

    @Override
    public void execute(Chunk chunk) {
        pool.execute(chunk::run);
    }

    @Override
    public Optional<EngineStats> stats() {
        return Optional.of(this);
    }

    @Override
    public int activeCount() {
        return pool.getActiveThreadCount();
    }

    @Override
    public long queuedCount() {
        return pool.getQueuedSubmissionCount() + pool.getQueuedTaskCount();
    }

    @Override
    public Optional<ExecutorService> executorService() {
        return Optional.of(pool);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "fork-join(" + pool.getParallelism() + ")";
    }
}
