package dev.parfor.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One shared daemon thread for loop deadlines, task timeouts (of local chunks and of a remote engine's workers) and
 * retry backoff. What it runs only hands work off: it changes a loop's state under the loop's lock, interrupts a
 * thread, or wakes a loop's consumer. It never calls user code (bodies, listeners, executors), so one loop's
 * misbehaving code cannot stop another loop's deadlines. Not exported: not part of parfor's API.
 */
public final class Timer {

    private static final ScheduledThreadPoolExecutor EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
        Thread thread = new Thread(r, "parfor-timer");
        thread.setDaemon(true);
        return thread;
    });

    static {
        EXECUTOR.setRemoveOnCancelPolicy(true);
    }

    private Timer() {}

    /**
     * Runs {@code handOff} on the timer thread once {@code nanos} have passed.
     *
     * @param handOff what to run; it must hand work off and call no user code
     * @param nanos the delay
     * @return the scheduled run, to cancel when it is no longer due
     */
    public static ScheduledFuture<?> schedule(Runnable handOff, long nanos) {
        return EXECUTOR.schedule(handOff, nanos, TimeUnit.NANOSECONDS);
    }
}
