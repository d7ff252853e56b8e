package dev.parfor;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A named limit shared by loops: a fair semaphore for concurrency and a token bucket for the rate. A task takes a
 * concurrency permit, then a token, before its body runs, and gives the permit back after. Written here rather than
 * taken from Bucket4j or Resilience4j: parfor-core depends on nothing but SLF4J, and this needs 60 lines.
 *
 * <p>The bucket's fields are guarded by {@code this}; a waiting task sleeps outside the monitor.
 */
final class Limit implements LimitStats {

    final String name;
    private final int maxConcurrency;
    private final double permitsPerSecond;
    private final int burst;
    private final Semaphore concurrency;
    private double tokens;
    private long refilledAt = System.nanoTime();
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongAdder acquired = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();

    Limit(String name, int maxConcurrency, double permitsPerSecond, int burst) {
        this.name = name;
        this.maxConcurrency = maxConcurrency;
        this.permitsPerSecond = permitsPerSecond;
        this.burst = burst;
        this.concurrency = maxConcurrency > 0 ? new Semaphore(maxConcurrency, true) : null;
        this.tokens = burst;
    }

    /** Waits for a permit. Interruptible: a task whose loop stops gives up waiting. */
    void acquire() throws InterruptedException {
        long start = System.nanoTime();
        waiting.incrementAndGet();
        try {
            if (concurrency != null) {
                concurrency.acquire();
            }
            try {
                if (permitsPerSecond > 0) {
                    takeToken();
                }
            } catch (InterruptedException e) {
                if (concurrency != null) {
                    concurrency.release();
                }
                throw e;
            }
        } catch (InterruptedException e) {
            rejected.increment();
            throw e;
        } finally {
            waiting.decrementAndGet();
            waitNanos.add(System.nanoTime() - start);
        }
        inUse.incrementAndGet();
        acquired.increment();
    }

    void release() {
        inUse.decrementAndGet();
        if (concurrency != null) {
            concurrency.release();
        }
    }

    private void takeToken() throws InterruptedException {
        while (true) {
            long sleep;
            synchronized (this) {
                long now = System.nanoTime();
                tokens = Math.min(burst, tokens + (now - refilledAt) * permitsPerSecond / 1e9);
                refilledAt = now;
                if (tokens >= 1) {
                    tokens -= 1;
                    return;
                }
                sleep = (long) Math.ceil((1 - tokens) / permitsPerSecond * 1e9);
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(1, sleep));
        }
    }

    @Override
    public int inUse() {
        return inUse.get();
    }

    @Override
    public int waiting() {
        return waiting.get();
    }

    @Override
    public long acquired() {
        return acquired.sum();
    }

    @Override
    public long rejected() {
        return rejected.sum();
    }

    @Override
    public long waitNanos() {
        return waitNanos.sum();
    }

    @Override
    public String toString() {
        return "limit '" + name + "' (max-concurrency " + maxConcurrency + ", rate " + permitsPerSecond + "/s, burst "
                + burst + ")";
    }
}
