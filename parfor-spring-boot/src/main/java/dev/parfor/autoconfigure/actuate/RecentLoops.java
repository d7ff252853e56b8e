package dev.parfor.autoconfigure.actuate;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.Outcome;
import dev.parfor.Progress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Remembers the last {@value #CAPACITY} loops that finished, for the {@code parfor} endpoint. Thread-safe. */
public final class RecentLoops implements LoopListener {

    /** How many finished loops are kept. */
    public static final int CAPACITY = 20;

    private final Deque<Finished> finished = new ArrayDeque<>(CAPACITY);

    /** Creates an empty list. */
    public RecentLoops() {}

    /**
     * A loop that finished.
     *
     * @param loop the loop
     * @param outcome how it ended
     * @param progress its final counts
     * @param finishedAt when it ended
     */
    public record Finished(LoopInfo loop, Outcome outcome, Progress progress, Instant finishedAt) {}

    @Override
    public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
        // The millisecond clock: the cheapest wall-clock read, and as precise as the endpoint shows.
        Finished entry = new Finished(loop, outcome, progress, Instant.ofEpochMilli(System.currentTimeMillis()));
        synchronized (finished) {
            if (finished.size() == CAPACITY) {
                finished.removeLast();
            }
            finished.addFirst(entry);
        }
    }

    /**
     * The loops that finished last, newest first.
     *
     * @return a copy, at most {@value #CAPACITY} long
     */
    public List<Finished> newestFirst() {
        synchronized (finished) {
            return new ArrayList<>(finished);
        }
    }

    @Override
    public String toString() {
        return "parfor recent loops";
    }
}
