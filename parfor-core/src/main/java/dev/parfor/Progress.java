package dev.parfor;

import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

/** A snapshot of a loop's progress. Immutable; created by parfor only. */
public final class Progress {

    private final LoopInfo info;
    private final OptionalLong total;
    private final long done;
    private final long failed;
    private final long retried;
    private final Duration elapsed;
    private final boolean finished;

    Progress(
            LoopInfo info,
            OptionalLong total,
            long done,
            long failed,
            long retried,
            Duration elapsed,
            boolean finished) {
        this.info = info;
        this.total = total;
        this.done = done;
        this.failed = failed;
        this.retried = retried;
        this.elapsed = elapsed;
        this.finished = finished;
    }

    /**
     * Which loop this is: its run's id, name, engine and parallelism.
     *
     * @return the loop's description
     */
    public LoopInfo info() {
        return info;
    }

    /**
     * How many inputs the loop has, when known (a collection or an iterable whose spliterator knows its size, or a source read to its end).
     *
     * @return the total, or empty
     */
    public OptionalLong total() {
        return total;
    }

    /**
     * How many inputs have ended, with a value or a failure.
     *
     * @return the count
     */
    public long done() {
        return done;
    }

    /**
     * How many inputs have failed after their retries.
     *
     * @return the count
     */
    public long failed() {
        return failed;
    }

    /**
     * How many retries have been scheduled.
     *
     * @return the count
     */
    public long retried() {
        return retried;
    }

    /**
     * Time since the loop started, at the snapshot.
     *
     * @return the duration
     */
    public Duration elapsed() {
        return elapsed;
    }

    /**
     * Whether the loop has ended.
     *
     * @return {@code true} for the last snapshot of a loop
     */
    public boolean finished() {
        return finished;
    }

    /** Inputs ended per second since the loop started; 0 before the first input ends. */
    double rate() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : done / seconds;
    }

    /** Estimated seconds until every input has ended, from the rate so far; negative when unknown. */
    private double secondsLeft() {
        if (total.isEmpty() || done == 0) {
            return -1;
        }
        return Math.max(0, total.getAsLong() - done) / rate();
    }

    /**
     * The progress as one line, such as
     * {@code render-reports on fork-join: 10,000/10,000 done, 0 failed, 6.3 s, 1,587/s}.
     *
     * @return the line
     */
    @Override
    public String toString() {
        StringBuilder line = new StringBuilder()
                .append(info.name())
                .append(" on ")
                .append(info.engine())
                .append(": ")
                .append(String.format(Locale.ROOT, "%,d", done));
        total.ifPresent(t -> line.append(String.format(Locale.ROOT, "/%,d", t)));
        line.append(" done, ").append(String.format(Locale.ROOT, "%,d", failed)).append(" failed");
        if (retried > 0) {
            line.append(", ").append(String.format(Locale.ROOT, "%,d", retried)).append(" retried");
        }
        line.append(String.format(Locale.ROOT, ", %.1f s, %,.0f/s", elapsed.toMillis() / 1000.0, rate()));
        double left = finished ? -1 : secondsLeft();
        if (left >= 0) {
            line.append(String.format(Locale.ROOT, ", ETA %.1f s", left));
        }
        return line.toString();
    }
}
