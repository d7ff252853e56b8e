package dev.parfor;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * When a loop's consumer next reports progress, and how long it may wait for news before it must look again. Used by
 * the consumer only, outside the loop's lock (the progress listener is user code).
 */
final class ProgressClock {

    /** The consumer wakes at least this often to report progress and to check the engine still runs its chunks. */
    static final long WAKE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Events events;
    private final long intervalNanos;
    private final Supplier<Progress> snapshot;
    private long nextNanos;

    /**
     * @param startNanos when the loop started: the first report is due one interval after it
     * @param snapshot the loop's progress now
     */
    ProgressClock(Events events, long intervalNanos, long startNanos, Supplier<Progress> snapshot) {
        this.events = events;
        this.intervalNanos = intervalNanos;
        this.snapshot = snapshot;
        this.nextNanos = startNanos + intervalNanos;
    }

    /** How long the consumer may wait from {@code now}: until the next report is due, and never more than a while. */
    long waitNanos(long now) {
        return events.hasProgress() ? Math.min(WAKE_NANOS, Math.max(1, nextNanos - now)) : WAKE_NANOS;
    }

    /** Reports progress if a report is due at {@code now}; the next one is due an interval later. */
    void tick(long now) {
        if (events.hasProgress() && now >= nextNanos) {
            nextNanos = now + intervalNanos;
            events.progress(snapshot.get());
        }
    }
}
