package dev.parfor;

import java.io.Serial;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A loop did not complete: a task failed under {@link ErrorPolicy#FAIL_FAST}, the loop timed out, the caller was
 * interrupted, or reading the inputs failed. The message names the loop and, for a task failure, the input's index
 * and a short form of its value; {@link #getCause()} is the original exception with its own stack trace, and later
 * failures are {@linkplain #getSuppressed() suppressed}.
 */
public final class ParallelForException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The name of the loop that did not complete. */
    private final String loop;

    /** How the loop ended. */
    private final Outcome outcome;

    /** The task failures known when the loop stopped; not serialized, since inputs need not be serializable. */
    private final transient List<TaskFailure> failures;

    ParallelForException(
            String message, String loop, Outcome outcome, @Nullable Throwable cause, List<TaskFailure> failures) {
        super(message, cause);
        this.loop = loop;
        this.outcome = outcome;
        this.failures = List.copyOf(failures);
    }

    /**
     * The loop's name.
     *
     * @return the name
     */
    public String loop() {
        return loop;
    }

    /**
     * How the loop ended: {@link Outcome#FAILURE}, {@link Outcome#PARTIAL}, {@link Outcome#TIMEOUT} or
     * {@link Outcome#CANCELLED}.
     *
     * @return the outcome
     */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * The task failures known when the loop stopped, the first one first.
     *
     * @return the failures; empty when the loop stopped for another reason (timeout, interrupt)
     */
    public List<TaskFailure> failures() {
        return failures == null ? List.of() : failures;
    }
}
