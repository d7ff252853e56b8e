package dev.parfor;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One shared daemon thread for loop deadlines, task timeouts and retry backoff. What it runs only hands work off: it
 * changes a loop's state under the loop's lock, interrupts a thread, or wakes a loop's consumer. It never calls user
 * code (bodies, listeners, executors), so one loop's misbehaving code cannot stop another loop's deadlines.
 */
final class Timer {

    private static final ScheduledThreadPoolExecutor EXECUTOR = new ScheduledThreadPoolExecutor(1, r -> {
        Thread thread = new Thread(r, "parfor-timer");
        thread.setDaemon(true);
        return thread;
    });

    static {
        EXECUTOR.setRemoveOnCancelPolicy(true);
    }

    private Timer() {}

    static ScheduledFuture<?> schedule(Runnable handOff, long nanos) {
        return EXECUTOR.schedule(handOff, nanos, TimeUnit.NANOSECONDS);
    }
}
