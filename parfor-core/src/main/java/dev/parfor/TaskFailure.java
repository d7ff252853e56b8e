package dev.parfor;

import org.jspecify.annotations.Nullable;

/** One input whose task failed after all of its attempts. Immutable; created by parfor only. */
public final class TaskFailure {

    private final long index;
    private final @Nullable Object input;
    private final Throwable error;
    private final int attempts;

    TaskFailure(long index, @Nullable Object input, Throwable error, int attempts) {
        this.index = index;
        this.input = input;
        this.error = Checks.notNull(error, "error");
        this.attempts = attempts;
    }

    /**
     * The input's position in the loop's inputs.
     *
     * @return the index, from 0
     */
    public long index() {
        return index;
    }

    /**
     * The input itself.
     *
     * @return the input, or {@code null}
     */
    public @Nullable Object input() {
        return input;
    }

    /**
     * The exception of the last attempt, with its own stack trace.
     *
     * @return the exception
     */
    public Throwable error() {
        return error;
    }

    /**
     * How many times the body ran for this input.
     *
     * @return at least 1
     */
    public int attempts() {
        return attempts;
    }

    /** A one-line form, such as {@code input #3 (x) failed after 1 attempt: java.io.IOException: gone}. */
    @Override
    public String toString() {
        return "input #" + index + " (" + Texts.shortForm(input) + ") failed after " + attempts
                + (attempts == 1 ? " attempt: " : " attempts: ") + Texts.describe(error);
    }
}
