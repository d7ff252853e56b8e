package dev.parfor;

import java.time.Duration;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The exceptions a loop ends with, and their messages, in one place so they read alike. Messages that call user code
 * ({@code toString} or {@code getMessage} of an input or an error, through {@link Texts}) are built by the methods
 * that return a {@code String}, outside the loop's lock; the methods that take the loop's failures build no message
 * from user objects, so they may run under it.
 */
final class LoopErrors {

    private final String loop;
    private final long total;

    /**
     * @param loop the loop's name
     * @param total how many inputs the loop has, or -1 when unknown
     */
    LoopErrors(String loop, long total) {
        this.loop = loop;
        this.total = total;
    }

    /** The loop could not start at all ({@code what}: "could not open its inputs", ...); it was never registered. */
    static ParallelForException notStarted(String loop, String what, Throwable cause) {
        return new ParallelForException(
                "loop '" + loop + "' " + what + ": " + Texts.describe(cause), loop, Outcome.FAILURE, cause, List.of());
    }

    /** The loop failed for a reason of its own (its source, a context propagator), with {@code message} or none. */
    ParallelForException failed(@Nullable String message, Throwable cause, List<TaskFailure> failures) {
        return new ParallelForException(
                message == null ? "loop '" + loop + "' failed" : message, loop, Outcome.FAILURE, cause, failures);
    }

    /** Inputs failed under COLLECT: the first one's error is the cause, a bounded number of others suppressed. */
    ParallelForException partial(List<TaskFailure> sorted, long inputs) {
        TaskFailure first = sorted.get(0);
        ParallelForException error = new ParallelForException(
                Texts.failureMessage(loop, first, sorted.size(), inputs), loop, Outcome.PARTIAL, first.error(), sorted);
        for (TaskFailure later : sorted.subList(1, Math.min(sorted.size(), Texts.MAX_SUPPRESSED + 1))) {
            error.addSuppressed(later.error());
        }
        return error;
    }

    /** An input failed for good under FAIL_FAST. Builds its message from the input and error: outside the lock. */
    ParallelForException failFast(TaskFailure failure) {
        return new ParallelForException(
                Texts.failureMessage(loop, failure, 1, total),
                loop,
                Outcome.FAILURE,
                failure.error(),
                List.of(failure));
    }

    /** The thread that consumes the loop was interrupted. */
    ParallelForException interrupted(long done, Throwable cause, List<TaskFailure> failures) {
        return new ParallelForException(
                "loop '" + loop + "' was cancelled: the calling thread was interrupted (" + done + " inputs done)",
                loop,
                Outcome.CANCELLED,
                cause,
                failures);
    }

    /** The loop was cancelled from another thread, for the reason given. */
    ParallelForException cancelled(String why) {
        return new ParallelForException(
                "loop '" + loop + "' was cancelled: " + why,
                loop,
                Outcome.CANCELLED,
                new CancellationException(why),
                List.of());
    }

    /** The engine refused a chunk. Builds its message from the engine's exception: outside the lock. */
    ParallelForException rejected(String engine, Throwable cause) {
        return new ParallelForException(
                "loop '" + loop + "' was cancelled: engine '" + engine + "' rejected a task (" + Texts.describe(cause)
                        + "); it is shut down or its queue is full",
                loop,
                Outcome.CANCELLED,
                cause,
                List.of());
    }

    /** The engine's executor terminated with chunks of the loop still waiting in it. */
    ParallelForException executorTerminated(String engine) {
        return new ParallelForException(
                "loop '" + loop + "' was cancelled: the executor of engine '" + engine
                        + "' was shut down while chunks of the loop were waiting in it, so they can never run; shut"
                        + " an executor down only after the loops that use it have ended",
                loop,
                Outcome.CANCELLED,
                new RejectedExecutionException("executor terminated"),
                List.of());
    }

    /** The loop's deadline passed. */
    ParallelForException timedOut(Duration timeout, long done, List<TaskFailure> failures) {
        String of = total >= 0 ? " of " + total : "";
        return new ParallelForException(
                "loop '" + loop + "' timed out after " + timeout + " with " + done + of
                        + " inputs done; raise its timeout or lower the work per loop",
                loop,
                Outcome.TIMEOUT,
                new TimeoutException("loop timeout of " + timeout + " elapsed"),
                failures);
    }

    /** Why reading input {@code index} failed. Calls the error's {@code toString}: outside the lock. */
    String sourceMessage(long index, Throwable failure) {
        if (failure instanceof ConcurrentModificationException) {
            return "loop '" + loop + "' failed reading input #" + index + ": its input collection was modified"
                    + " while the loop ran (" + Texts.describe(failure) + "); do not change a loop's inputs while it"
                    + " runs, or pass a copy such as List.copyOf(inputs)";
        }
        return "loop '" + loop + "' failed reading input #" + index + " from its source: " + Texts.describe(failure);
    }
}
