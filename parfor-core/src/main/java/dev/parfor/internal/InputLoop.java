package dev.parfor.internal;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The one loop that runs a chunk's inputs in order, for a local chunk whose inputs run guarded (under a task timeout
 * or a shared limit) and for a remote engine's worker ({@code ChunkOutcome.execute}): a stop check before each input,
 * the input read (fenced), a last check once it is read, the input run, its error kept, and the check whether the
 * chunk ends there. What differs
 * between them, how an input runs under its task timeout and what stops the chunk, is the {@link Step} each passes
 * in. A local chunk whose inputs need no guard runs a plain loop of its own, as small as a hand-written one.
 *
 * <p>Not exported: not part of parfor's API.
 */
public final class InputLoop {

    private InputLoop() {}

    /** The part of running a chunk's inputs that belongs to who runs them. No method may throw. */
    public interface Step {

        /**
         * Checked before each input.
         *
         * @param offset the input's position in the chunk
         * @return whether the chunk stops before this input
         */
        boolean stopsBefore(int offset);

        /**
         * The input could not be read from the chunk's list.
         *
         * @param offset the input's position in the chunk
         * @param error what reading it threw
         * @return {@code true} to stop the chunk before this input, {@code false} to count {@code error} as its failure
         */
        boolean unreadable(int offset, Throwable error);

        /**
         * Checked once the input has been read, just before it runs.
         *
         * @param offset the input's position in the chunk
         * @return whether it may run; {@code false} stops the chunk before it
         */
        boolean starts(int offset);

        /**
         * Runs one input and keeps its value.
         *
         * @param offset the input's position in the chunk
         * @param input the input
         * @return what the body threw, or {@code null}
         */
        @Nullable
        Throwable run(int offset, @Nullable Object input);

        /**
         * Checked after each input that ran.
         *
         * @param offset the input's position in the chunk
         * @param failure what it failed with, or {@code null}
         * @return whether the chunk ends after this input
         */
        boolean endsAfter(int offset, @Nullable Throwable failure);
    }

    /**
     * How far a chunk's inputs ran.
     *
     * @param ran how many inputs ran, from the start of the chunk
     * @param errors one error per input, {@code null} where it succeeded; or {@code null} when none failed
     */
    public record Ran(int ran, @Nullable Throwable @Nullable [] errors) {}

    /**
     * Runs up to {@code size} inputs of {@code inputs} on the calling thread.
     *
     * @param inputs the chunk's inputs
     * @param size how many of them to run
     * @param step how each one runs
     * @return how far they ran, and their errors
     */
    public static Ran run(List<?> inputs, int size, Step step) {
        Throwable[] errors = null;
        int ran = 0;
        for (int i = 0; i < size && !step.stopsBefore(i); i++) {
            Throwable failure = null;
            Object input = null;
            try {
                input = inputs.get(i);
            } catch (Throwable unreadable) {
                if (step.unreadable(i, unreadable)) {
                    break;
                }
                failure = unreadable;
            }
            if (failure == null) {
                if (!step.starts(i)) {
                    break;
                }
                failure = step.run(i, input);
            }
            ran = i + 1;
            if (failure != null) {
                if (errors == null) {
                    errors = new Throwable[size];
                }
                errors[i] = failure;
            }
            if (step.endsAfter(i, failure)) {
                break;
            }
        }
        return new Ran(ran, errors);
    }
}
