package dev.parfor;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * A snapshot of a loop's progress.
 *
 * @param id the id of this run of the loop (see {@link LoopInfo#id()})
 * @param loop the loop's name
 * @param engine the engine's name
 * @param total how many inputs the loop has, when known (a list or a sized stream); empty for an iterator
 * @param done how many inputs have ended, with a value or a failure
 * @param failed how many inputs have failed after their retries
 * @param retried how many retries have been scheduled
 * @param startedAt when the loop started
 * @param elapsed time since the loop started
 * @param finished whether the loop has ended
 */
public record Progress(
        String id,
        String loop,
        String engine,
        OptionalLong total,
        long done,
        long failed,
        long retried,
        Instant startedAt,
        Duration elapsed,
        boolean finished) {

    /** Checks the components. */
    public Progress {
        Checks.notNull(id, "id");
        Checks.notNull(loop, "loop");
        Checks.notNull(engine, "engine");
        Checks.notNull(total, "total");
        Checks.notNull(startedAt, "startedAt");
        Checks.notNull(elapsed, "elapsed");
    }

    /**
     * Inputs ended per second since the loop started.
     *
     * @return the rate, 0 before the first input ends
     */
    public double rate() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : done / seconds;
    }

    /**
     * Estimated time until every input has ended, from the rate so far.
     *
     * @return the estimate, or empty when the total is unknown or nothing has ended yet
     */
    public java.util.Optional<Duration> eta() {
        if (total.isEmpty() || done == 0) {
            return java.util.Optional.empty();
        }
        long left = Math.max(0, total.getAsLong() - done);
        return java.util.Optional.of(Duration.ofNanos((long) (left / rate() * 1e9)));
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
                .append(loop)
                .append(" on ")
                .append(engine)
                .append(": ")
                .append(String.format(Locale.ROOT, "%,d", done));
        total.ifPresent(t -> line.append(String.format(Locale.ROOT, "/%,d", t)));
        line.append(" done, ").append(String.format(Locale.ROOT, "%,d", failed)).append(" failed");
        if (retried > 0) {
            line.append(", ").append(String.format(Locale.ROOT, "%,d", retried)).append(" retried");
        }
        line.append(String.format(Locale.ROOT, ", %.1f s, %,.0f/s", elapsed.toMillis() / 1000.0, rate()));
        if (!finished) {
            eta().ifPresent(eta -> line.append(String.format(Locale.ROOT, ", ETA %.1f s", eta.toMillis() / 1000.0)));
        }
        return line.toString();
    }
}
