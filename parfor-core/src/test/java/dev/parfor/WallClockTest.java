package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WallClockTest {

    /** What the wall clock may move between the two readings of a bracket besides time passing: none in practice. */
    private static final Duration SLACK = Duration.ofMillis(50);

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
