package dev.parfor;

import java.time.Instant;

/**
 * The wall-clock instant of a {@link System#nanoTime()} reading the loop took anyway, so that starting a loop reads
 * the clock once instead of twice. The instant is the anchor's wall-clock time plus the nanoseconds since the anchor;
 * the anchor is taken again when it is more than a second away, so a wall clock that is adjusted drifts from these
 * instants by at most what it is slewed in a second.
 */
final class WallClock {

    private static final long REANCHOR_NANOS = 1_000_000_000L;

    private record Anchor(long nanos, Instant wall) {}

    private static volatile Anchor anchor = new Anchor(System.nanoTime(), Instant.now());

    private WallClock() {}

    /**
     * @param nanoTime a reading of {@link System#nanoTime()} taken a moment ago
     * @return the wall-clock instant of that reading
     */
    static Instant at(long nanoTime) {
        Anchor current = anchor;
        long since = nanoTime - current.nanos();
        if (since > REANCHOR_NANOS || since < -REANCHOR_NANOS) {
            Instant wall = Instant.now();
            long nanos = System.nanoTime();
            anchor = new Anchor(nanos, wall);
            return wall.minusNanos(nanos - nanoTime);
        }
        return current.wall().plusNanos(since);
    }
}
