package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** When a loop's consumer reports progress and how long it may sleep, alone, with the clock passed in. */
class ProgressClockTest {

    private static final LoopInfo INFO = new LoopInfo(1, "clock", "fork-join", 2);
    private static final long INTERVAL = 1_000;

    private final List<Progress> reports = new ArrayList<>();
    private long done;

    private ProgressClock clock(Events events) {
        return new ProgressClock(
                events,
                INTERVAL,
                5_000,
                () -> new Progress(INFO, OptionalLong.of(10), done, 0, 0, Duration.ZERO, false));
    }

    @Test
    void shouldReportOncePerIntervalFromTheLoopsStart() {
        ProgressClock clock = clock(new Events(INFO, List.of(), reports::add));

        clock.tick(5_999);
        done = 4;
        clock.tick(6_000);
        clock.tick(6_500);
        done = 7;
        clock.tick(7_000);

        assertThat(reports).extracting(Progress::done).containsExactly(4L, 7L);
    }

    @Test
    void shouldWaitUntilTheNextReportAtMostAndNeverLessThanANanosecond() {
        ProgressClock clock = clock(new Events(INFO, List.of(), reports::add));

        assertThat(clock.waitNanos(5_400)).isEqualTo(600);
        assertThat(clock.waitNanos(9_000)).isEqualTo(1);
    }

    @Test
    void shouldWaitTheWakeIntervalAndReportNothingWithoutAProgressListener() {
        ProgressClock clock = clock(new Events(INFO, List.of(), null));

        clock.tick(1_000_000);

        assertThat(clock.waitNanos(5_400)).isEqualTo(ProgressClock.WAKE_NANOS);
        assertThat(reports).isEmpty();
    }
}
