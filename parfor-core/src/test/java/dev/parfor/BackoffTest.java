package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pause before a retry: exponential, capped, and jittered within its bounds. */
class BackoffTest {

    private static Plan plan(LoopOptions options) {
        LoopRuntime runtime = new LoopRuntime(
                java.util.Map.of("cpu", Engines.sequential()),
                java.util.Map.of(),
                java.util.Map.of(),
                java.util.Map.of(),
                java.util.List.of(),
                java.util.List.of(),
                "cpu",
                true);
        return Plan.of(runtime, "l", options, 10, Plan.Mode.ALL, 0);
    }

    @Test
    void shouldDoubleThePauseByDefaultWithoutJitter() {
        Plan plan = plan(LoopOptions.none().retries(5, Duration.ofMillis(100)));
        assertThat(plan.backoffFor(1, 0.9)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(plan.backoffFor(2, 0.1)).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(plan.backoffFor(4, 0.5)).isEqualTo(Duration.ofMillis(800).toNanos());
    }

    @Test
    void shouldKeepEveryJitteredPauseWithinItsBoundsAndTheCap() {
        Plan plan = plan(LoopOptions.none().retries(10, Duration.ofMillis(100)).backoff(3, Duration.ofSeconds(2), 0.5));
        SplittableRandom random = new SplittableRandom(42);
        for (int retry = 1; retry <= 10; retry++) {
            double base = Math.min(2e9, 100e6 * Math.pow(3, retry - 1));
            long low = Long.MAX_VALUE;
            long high = 0;
            for (int i = 0; i < 10_000; i++) {
                long pause = plan.backoffFor(retry, random.nextDouble());
                low = Math.min(low, pause);
                high = Math.max(high, pause);
                assertThat(pause).isBetween((long) (base * 0.5), (long) Math.min(2e9, base * 1.5));
            }
            assertThat(high).as("jitter spreads retry %d", retry).isGreaterThan(low);
        }
    }

    @Test
    void shouldNotPauseWithoutABackoff() {
        assertThat(plan(LoopOptions.none().retries(3, Duration.ZERO)).backoffFor(3, 0.7))
                .isZero();
    }
}
