package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WallClockTest {

    /**
     * How far an instant may be from the wall clock: the anchor's two readings (wall clock, then nanoTime) may be a
     * pause apart, and an anchor is kept for a second. Only the first two tests' bracketing depends on it.
     */
    private static final Duration SLACK = Duration.ofSeconds(1);

    @Test
    void shouldMapNanoTimeDifferencesExactly() {
        long now = System.nanoTime();
        // Readings 5 s either side of the anchor take it again, at least once: the anchor is now a moment old, and
        // readings within 250 ms of now map through it without taking another.
        WallClock.at(now - Duration.ofSeconds(5).toNanos());
        WallClock.at(now + Duration.ofSeconds(5).toNanos());
        Instant at = WallClock.at(now);
        for (long millis : new long[] {1, 17, 250}) {
            long later = now + Duration.ofMillis(millis).toNanos();
            assertThat(Duration.between(at, WallClock.at(later))).isEqualTo(Duration.ofMillis(millis));
        }
    }

    @Test
    void shouldGiveTheWallClockInstantOfAReadingJustTaken() {
        for (int i = 0; i < 1_000; i++) {
            Instant before = Instant.now();
            Instant at = WallClock.at(System.nanoTime());
            Instant after = Instant.now();
            assertThat(at).isBetween(before.minus(SLACK), after.plus(SLACK));
        }
    }

    @Test
    void shouldGiveTheInstantOfAReadingTakenLongBeforeOrAfterTheAnchor() {
        // Bracketed, so that a pause of the test thread between the two clock readings cannot fail it.
        Instant first = Instant.now();
        long now = System.nanoTime();
        Instant last = Instant.now();
        assertThat(WallClock.at(now - Duration.ofSeconds(5).toNanos()))
                .isBetween(
                        first.minusSeconds(5).minus(SLACK), last.minusSeconds(5).plus(SLACK));
        assertThat(WallClock.at(now + Duration.ofSeconds(5).toNanos()))
                .isBetween(
                        first.plusSeconds(5).minus(SLACK), last.plusSeconds(5).plus(SLACK));
        // The anchor was taken again above; a reading just taken still maps to now.
        Instant before = Instant.now();
        assertThat(WallClock.at(System.nanoTime()))
                .isBetween(before.minus(SLACK), Instant.now().plus(SLACK));
    }

    @Test
    void shouldStartEveryLoopAtTheWallClockTimeItStarted() {
        try (ParallelFor parfor = ParallelFor.create(Engines.sequential())) {
            Instant before = Instant.now();
            Instant[] started = new Instant[1];
            parfor.loop("clock").map(java.util.List.of(1), x -> {
                started[0] = parfor.running().getFirst().progress().info().startedAt();
                return x;
            });
            assertThat(started[0]).isBetween(before.minus(SLACK), Instant.now().plus(SLACK));
        }
    }
}
