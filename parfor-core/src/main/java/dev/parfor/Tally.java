package dev.parfor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * What a loop's inputs came to: their values in the sink, the inputs that failed for good, and the counts progress
 * reports. Guarded by the loop's lock, except the counters, which progress snapshots read without it.
 */
final class Tally {

    /** How the inputs of one chunk ended, for the task events sent once the loop's lock is released. */
    static final class Counts {
        int ok;
        int failed;
        int timedOut;
        int retried;
        int cancelled;

        void send(Events events, long nanos) {
            events.tasks(Outcome.SUCCESS, ok, nanos);
            events.tasks(Outcome.FAILURE, failed - timedOut, 0);
            events.tasks(Outcome.TIMEOUT, timedOut, 0);
            events.tasks(Outcome.RETRY, retried, 0);
            events.tasks(Outcome.CANCELLED, cancelled, 0);
        }
    }

    final Sink sink;
    private final List<TaskFailure> failures = new ArrayList<>();
    private int suppressed;
    // Written under the lock, read without it.
    private volatile long done;
    private volatile long failed;
    private volatile long retried;

    Tally(Sink sink) {
        this.sink = sink;
    }

    long done() {
        return done;
    }

    long failed() {
        return failed;
    }

    long retried() {
        return retried;
    }

    /** The failures so far, in the order they were recorded: for an exception, which copies them. */
    List<TaskFailure> failures() {
        return failures;
    }

    /** The failures so far, by input index. */
    List<TaskFailure> sorted() {
        if (failures.isEmpty()) {
            return List.of();
        }
        List<TaskFailure> sorted = new ArrayList<>(failures);
        sorted.sort(Comparator.comparingLong(TaskFailure::index));
        return sorted;
    }

    /**
     * Records the end of the chunk whose first input is {@code firstIndex}: values into the sink, failures for good,
     * retries counted (the caller schedules them). Once the loop has stopped nothing is recorded; the errors of
     * failures for good are then added to {@code stopFailure}, the exception the loop stopped with, if any.
     *
     * @param ran how many of the chunk's inputs ran
     * @return the counts for the task events
     */
    Counts record(
            long firstIndex,
            ChunkEnd outcome,
            int ran,
            ChunkReview.Verdict verdict,
            boolean stopped,
            @Nullable ParallelForException stopFailure) {
        Counts counts = new Counts();
        Throwable[] errors = outcome.errors();
        Object[] values = outcome.values();
        // A clean chunk whose values are already in place is counted at once, not input by input.
        boolean clean = errors == null && values == null && sink instanceof Sink.Array;
        if (clean && !stopped) {
            done += ran;
            counts.ok = ran;
        }
        for (int i = clean ? ran : 0; i < ran; i++) {
            long index = firstIndex + i;
            Throwable error = errors == null ? null : errors[i];
            if (error == null) {
                if (!stopped) {
                    if (values != null) {
                        sink.value(index, values[i]);
                    } else if (!(sink instanceof Sink.Array)) {
                        sink.value(index, null);
                    }
                    counts.ok++;
                }
                continue;
            }
            if (verdict.retries(i) && !stopped) {
                counts.retried++;
                retried++;
                continue;
            }
            TaskFailure failure = verdict.failure(i);
            if (failure == null) {
                counts.cancelled++; // interrupted because the loop stopped, or the caller's own interrupt
                continue;
            }
            counts.failed++;
            if (error instanceof TimeoutException) {
                counts.timedOut++;
            }
            if (stopped) {
                if (stopFailure != null && suppressed++ < Texts.MAX_SUPPRESSED) {
                    stopFailure.addSuppressed(error);
                }
                continue;
            }
            failed++;
            done++;
            failures.add(failure);
            sink.failed(index);
        }
        if (!clean) {
            done += counts.ok; // volatile: written once per chunk, read by progress snapshots
        }
        return counts;
    }
}
