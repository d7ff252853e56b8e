package dev.parfor;

import dev.parfor.spi.ChunkOutcome;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * How a chunk ended: its values (null when they were written straight into the loop's results), its errors (null
 * when none failed), how many inputs ran from its start, and how long they took. Built by whoever ends the chunk and
 * handed to {@link LoopRun#chunkEnded}.
 */
record ChunkEnd(
        @Nullable Object @Nullable [] values, @Nullable Throwable @Nullable [] errors, int ran, long nanos) {

    /** A chunk that ran nothing (cancelled before it started, or its inputs could not be read). */
    static final ChunkEnd NOTHING = new ChunkEnd(new Object[0], null, 0, 0);

    /** Every one of {@code size} inputs failed with {@code error} before any could run. */
    static ChunkEnd allFailed(int size, Throwable error) {
        Throwable[] errors = new Throwable[size];
        Arrays.fill(errors, error);
        return new ChunkEnd(new Object[size], errors, size, 0);
    }

    /** What a remote engine sent back for a chunk of {@code size} inputs. */
    static ChunkEnd of(ChunkOutcome outcome, int size) {
        int ran = Math.min(outcome.ran(), size);
        Object[] values = new Object[ran];
        Throwable[] errors = null;
        for (int i = 0; i < ran; i++) {
            values[i] = outcome.value(i);
            Throwable error = outcome.error(i);
            if (error != null) {
                if (errors == null) {
                    errors = new Throwable[ran];
                }
                errors[i] = error;
            }
        }
        return new ChunkEnd(values, errors, ran, outcome.nanos());
    }
}
