package dev.parfor;

import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of a chunk's end, run outside the loop's lock because it calls user code (the chunk's input list,
 * the retry predicate, the messages of a failure): decides, for each input that failed, whether it is retried, failed
 * for good, or was only interrupted; and copies the inputs the chunk did not reach. The loop then applies the
 * {@link Verdict} under its lock.
 */
final class ChunkReview {

    private static final Logger log = LoggerFactory.getLogger(ChunkReview.class);

    /**
     * What the review decided, by offset in the chunk; every array is null when no input is of its kind.
     *
     * @param retry the inputs to retry, each in a one-element array (an input may be null)
     * @param finals the inputs that failed for good
     * @param failFast the exception that stops the loop under FAIL_FAST, or null
     * @param callerInterrupted whether the loop's own consumer was interrupted while it ran an input
     * @param rest the inputs the chunk did not reach, copied, or null when it ran them all
     */
    record Verdict(
            @Nullable Object @Nullable [] retry,
            TaskFailure @Nullable [] finals,
            @Nullable ParallelForException failFast,
            boolean callerInterrupted,
            @Nullable List<?> rest) {

        static final Verdict CLEAN = new Verdict(null, null, null, false, null);

        boolean retries(int offset) {
            return retry != null && retry[offset] != null;
        }

        @Nullable
        Object retryInput(int offset) {
            return ((Object[]) retry[offset])[0];
        }

        @Nullable
        TaskFailure failure(int offset) {
            return finals == null ? null : finals[offset];
        }
    }

    private final Plan plan;
    private final LoopErrors errors;
    private final String loop;
    private final Thread consumer;
    private final Runnable halt;

    /**
     * @param consumer the loop's consumer: an interrupt it gets while running an input is the caller's, not a failure
     * @param halt stops the loop's workers from starting inputs, called the moment a failure under FAIL_FAST is final
     */
    ChunkReview(Plan plan, LoopErrors errors, String loop, Thread consumer, Runnable halt) {
        this.plan = plan;
        this.errors = errors;
        this.loop = loop;
        this.consumer = consumer;
        this.halt = halt;
    }

    /**
     * Reviews a chunk that ended with {@code outcome}.
     *
     * @param stopping whether the loop was halting when the chunk ended: nothing is retried, and the failures of a
     *     cancelled chunk are its cancellation
     */
    Verdict review(LocalChunk chunk, ChunkEnd outcome, boolean stopping) {
        int ran = Math.min(outcome.ran(), chunk.size);
        Throwable[] errors = outcome.errors();
        if (errors == null) {
            return ran == chunk.size ? Verdict.CLEAN : new Verdict(null, null, null, false, restOf(chunk, ran));
        }
        boolean callerInterrupted = false;
        Object[] retry = null;
        TaskFailure[] finals = null;
        ParallelForException failFast = null;
        List<?> inputs = null;
        for (int i = 0; i < ran; i++) {
            Throwable error = errors[i];
            if (error == null) {
                continue;
            }
            if (Thread.currentThread() == consumer && isInterruption(error) && !chunk.interruptedByLoop()) {
                // The caller itself was interrupted while it ran a task (the sequential engine, an executor that runs
                // tasks inline, or a consumer helping): that cancels the loop, it is no task failure.
                callerInterrupted = true;
                continue;
            }
            if (stopping && chunk.isCancelled()) {
                continue;
            }
            if (inputs == null) {
                inputs = safeInputs(chunk);
            }
            Object input = inputAt(inputs, i);
            if (!stopping && willRetry(chunk.attempt, error)) {
                if (retry == null) {
                    retry = new Object[ran];
                }
                retry[i] = new Object[] {input};
                continue;
            }
            if (finals == null) {
                finals = new TaskFailure[ran];
            }
            finals[i] = new TaskFailure(chunk.firstIndex + i, input, error, chunk.attempt);
            if (plan.policy() == ErrorPolicy.FAIL_FAST && failFast == null) {
                halt.run();
                failFast = this.errors.failFast(finals[i]);
            }
        }
        return new Verdict(retry, finals, failFast, callerInterrupted, ran < chunk.size ? restOf(chunk, ran) : null);
    }

    private boolean willRetry(int attempt, Throwable error) {
        if (attempt > plan.retries()) {
            return false;
        }
        try {
            return plan.retryOn().test(error);
        } catch (Throwable e) {
            log.warn("retry predicate of loop '{}' failed; not retrying: {}", loop, Texts.describe(e), e);
            return false;
        }
    }

    private static boolean isInterruption(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof ClosedByInterruptException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static @Nullable List<?> safeInputs(LocalChunk chunk) {
        try {
            return chunk.inputs();
        } catch (Throwable e) {
            return null;
        }
    }

    private static @Nullable Object inputAt(@Nullable List<?> inputs, int offset) {
        try {
            return inputs == null ? null : inputs.get(offset);
        } catch (Throwable e) {
            return null;
        }
    }

    /** The inputs of a chunk from {@code offset} on, copied so that the rest runs without touching the source again. */
    private static List<?> restOf(LocalChunk chunk, int offset) {
        List<?> inputs = safeInputs(chunk);
        if (inputs == null) {
            return Collections.nCopies(chunk.size - offset, null);
        }
        try {
            return new ArrayList<>(inputs.subList(offset, chunk.size));
        } catch (Throwable e) {
            return Collections.nCopies(chunk.size - offset, null);
        }
    }
}
