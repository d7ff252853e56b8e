package dev.parfor;

import dev.parfor.spi.Chunk;
import dev.parfor.spi.Engine;
import dev.parfor.spi.EngineStats;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A virtual thread per chunk; a semaphore keeps at most maxConcurrency chunks running. */
final class VirtualThreadEngine implements Engine, EngineStats, NamedThreads {

    private final int maxConcurrency;
    private final Semaphore permits;
    private final ExecutorService threads;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    private volatile String threadNamePrefix = "parfor-virtual-";

    VirtualThreadEngine(int maxConcurrency) {
        this.maxConcurrency = maxConcurrency;
        this.permits = new Semaphore(maxConcurrency);
        this.threads = Executors.newThreadPerTaskExecutor(task -> {
            Thread thread = Thread.ofVirtual().unstarted(task);
            thread.setName(threadNamePrefix + started.getAndIncrement());
            return thread;
        });
    }

    @Override
    public void nameThreads(String prefix) {
        threadNamePrefix = prefix;
    }

    @Override
    public String type() {
        return "virtual";
    }

    @Override
    public int parallelism() {
        return maxConcurrency;
    }

    @Override
    public void execute(Chunk chunk) {
        threads.execute(() -> {
            waiting.incrementAndGet();
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                // The engine is closing; the loop sees the chunk never ran and reports it.
                chunk.fail(e);
                return;
            } finally {
                waiting.decrementAndGet();
            }
            try {
                chunk.run();
            } finally {
                permits.release();
            }
        });
    }

    @Override
    public Optional<EngineStats> stats() {
        return Optional.of(this);
    }

    @Override
    public int activeCount() {
        return maxConcurrency - permits.availablePermits();
    }

    @Override
    public long queuedCount() {
        return waiting.get();
    }

    @Override
    public Optional<ExecutorService> executorService() {
        return Optional.of(threads);
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "virtual(" + maxConcurrency + ")";
    }
}
