package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** What one chunk's end adds to a loop's results and counts, alone, without a loop around it. */
class TallyTest {

    private static final ChunkReview.Verdict CLEAN = ChunkReview.Verdict.CLEAN;

    @Test
    void shouldCountAChunkWrittenInPlaceAtOnce() {
        Tally tally = new Tally(Sink.of(Plan.Mode.ALL, 4, true));
        tally.sink.extend(4);

        Tally.Counts counts = tally.record(0, new ChunkEnd(null, null, 4, 10), 4, CLEAN, false, null);

        assertThat(counts.ok).isEqualTo(4);
        assertThat(tally.done()).isEqualTo(4);
        assertThat(tally.failures()).isEmpty();
    }

    @Test
    void shouldRecordValuesFailuresAndRetriesByOffset() {
        Tally tally = new Tally(Sink.of(Plan.Mode.ALL, 4, false));
        tally.sink.extend(4);
        IllegalStateException failed = new IllegalStateException("failed");
        TimeoutException late = new TimeoutException("late");
        TaskFailure[] finals = new TaskFailure[4];
        finals[1] = new TaskFailure(1, "b", failed, 1);
        finals[3] = new TaskFailure(3, "d", late, 1);
        Object[] retry = new Object[4];
        retry[2] = new Object[] {"c"};
        ChunkReview.Verdict verdict = new ChunkReview.Verdict(retry, finals, null, false, null);
        ChunkEnd outcome = new ChunkEnd(
                new Object[] {"A", null, null, null},
                new Throwable[] {null, failed, new RuntimeException(), late},
                4,
                0);

        Tally.Counts counts = tally.record(0, outcome, 4, verdict, false, null);

        assertThat(counts.ok).isEqualTo(1);
        assertThat(counts.failed).isEqualTo(2);
        assertThat(counts.timedOut).isEqualTo(1);
        assertThat(counts.retried).isEqualTo(1);
        assertThat(tally.done()).isEqualTo(3);
        assertThat(tally.failed()).isEqualTo(2);
        assertThat(tally.retried()).isEqualTo(1);
        assertThat(tally.sorted()).extracting(TaskFailure::index).containsExactly(1L, 3L);
        List<@Nullable Object> values = ((Sink.Array) tally.sink).values();
        assertThat(values.get(0)).isEqualTo("A");
    }

    @Test
    void shouldRecordNothingOnceStoppedButAddFailuresToTheStopError() {
        Tally tally = new Tally(Sink.of(Plan.Mode.ORDERED, -1, false));
        tally.sink.extend(2);
        IllegalStateException failed = new IllegalStateException("failed");
        TaskFailure[] finals = {null, new TaskFailure(1, "b", failed, 1)};
        ChunkReview.Verdict verdict = new ChunkReview.Verdict(null, finals, null, false, null);
        ParallelForException stopError = new ParallelForException("stopped", "l", Outcome.FAILURE, null, List.of());

        Tally.Counts counts = tally.record(
                0,
                new ChunkEnd(new Object[] {"a", null}, new Throwable[] {null, failed}, 2, 0),
                2,
                verdict,
                true,
                stopError);

        assertThat(counts.ok).isZero();
        assertThat(counts.failed).isEqualTo(1);
        assertThat(tally.done()).isZero();
        assertThat(tally.failures()).isEmpty();
        assertThat(stopError.getSuppressed()).containsExactly(failed);
        List<@Nullable Object> out = new ArrayList<>();
        assertThat(tally.sink.drain(out, 10)).isZero();
    }

    @Test
    void shouldCountAFailureWithNoVerdictAsCancelled() {
        Tally tally = new Tally(Sink.of(Plan.Mode.DISCARD, -1, false));
        tally.sink.extend(1);
        ChunkEnd outcome = new ChunkEnd(new Object[1], new Throwable[] {new InterruptedException()}, 1, 0);

        Tally.Counts counts = tally.record(0, outcome, 1, CLEAN, false, null);

        assertThat(counts.cancelled).isEqualTo(1);
        assertThat(counts.failed).isZero();
        assertThat(tally.done()).isZero();
    }
}
