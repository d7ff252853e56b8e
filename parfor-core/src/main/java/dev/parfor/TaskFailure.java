package dev.parfor;

import org.jspecify.annotations.Nullable;

/**
 * One input whose task failed after all of its attempts.
 *
 * @param index the input's position in the loop's inputs, from 0
 * @param input the input itself
 * @param error the exception of the last attempt, with its own stack trace
 * @param attempts how many times the body ran for this input
 */
public record TaskFailure(long index, @Nullable Object input, Throwable error, int attempts) {

    /** Checks the components. */
    public TaskFailure {
        Checks.notNull(error, "error");
    }

    @Override
    public String toString() {
        return "input #" + index + " (" + Texts.shortForm(input) + ") failed after " + attempts
                + (attempts == 1 ? " attempt: " : " attempts: ") + error;
    }
}
