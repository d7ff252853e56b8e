package dev.parfor.internal;

import dev.parfor.spi.Chunk;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The one loop that runs a chunk's inputs, in order, on the calling thread: for every local chunk (plain, or guarded
 * by a task timeout or a shared limit) and for a remote engine's worker ({@code ChunkOutcome.execute}). For each
 * input: a stop check, the input read from the chunk's list (fenced), the body run with every {@link Throwable} it
 * throws kept as the input's error, its value written into the values array at {@code base + offset}, and the check
 * whether the chunk ends there. What differs between who runs the inputs is in the hooks a runner implements: what
 * stops a chunk, what an unreadable input means, what starts and surrounds a guarded input (a task timeout that abandons the
 * chunk, or one that interrupts the body and waits for it; a limit's permit), and what ends a chunk after an input.
 *
 * <p>The plain path stays as small as a hand-written loop: an input of an unguarded runner that succeeds costs the
 * stop check, the read, the body, and the tests of two locals; no other hook is called, and nothing is allocated. Each
 * runner is one class, so the hooks' call sites see one or two receiver types and are inlined. No hook may throw,
 * except {@link #enter}, whose exception is the input's error.
 *
 * <p>A runner runs once, on one thread. Not exported: not part of parfor's API.
 */
public abstract class InputLoop {

    private final Chunk.Task task;
    private final long firstIndex;
    private final @Nullable Object context;
    private final boolean guarded;
    private final int base;

    /** One value per input, at {@code base + offset}: the chunk's own array, or the loop's array of results. */
    protected final @Nullable Object[] values;

    private @Nullable Throwable @Nullable [] errors;

    /**
     * @param task the loop body
     * @param firstIndex the loop index of the chunk's first input
     * @param context the loop's context
     * @param values where the values go, at {@code base + offset}
     * @param base the position in {@code values} of the chunk's first input
     * @param errors the array the errors go into, by offset, when it must be shared from the start; or {@code null}
     *     for one made at the first failure
     * @param guarded whether each input read is checked by {@link #starts} and runs between {@link #enter} and {@link
     *     #exit}, and every input, not only a failed one, is followed by {@link #endsAt}
     */
    protected InputLoop(
            Chunk.Task task,
            long firstIndex,
            @Nullable Object context,
            @Nullable Object[] values,
            int base,
            @Nullable Throwable @Nullable [] errors,
            boolean guarded) {
        this.task = task;
        this.firstIndex = firstIndex;
        this.context = context;
        this.values = values;
        this.base = base;
        this.errors = errors;
        this.guarded = guarded;
    }

    /**
     * Runs up to {@code size} inputs of {@code inputs}, from the first, on the calling thread.
     *
     * @param inputs the chunk's inputs
     * @param size how many of them to run
     * @return how many ran, from the start of the chunk
     */
    public final int run(List<?> inputs, int size) {
        Chunk.Task task = this.task;
        long firstIndex = this.firstIndex;
        Object context = this.context;
        Object[] values = this.values;
        int base = this.base;
        boolean guarded = this.guarded;
        Throwable[] errors = this.errors;
        int ran = 0;
        for (int i = 0; i < size && !stopsBefore(i); i++) {
            Object input = null;
            Throwable failure = null;
            try {
                input = inputs.get(i);
            } catch (Throwable unreadable) {
                if (unreadable(i, unreadable)) {
                    break;
                }
                failure = unreadable;
            }
            if (failure == null) {
                if (guarded && !starts(i)) {
                    break;
                }
                try {
                    if (guarded) {
                        enter(i);
                    }
                    values[base + i] = task.apply(firstIndex + i, input, context);
                } catch (Throwable error) {
                    failure = error;
                }
                if (guarded) {
                    failure = exit(i, failure);
                }
            }
            ran = i + 1;
            // Asked before the error is kept: under FAIL_FAST the other workers halt the moment an input fails.
            boolean ends = (failure != null || guarded) && endsAt(i, failure);
            if (failure != null) {
                if (errors == null) {
                    errors = new Throwable[size];
                }
                errors[i] = failure;
            }
            if (ends) {
                break;
            }
        }
        this.errors = errors;
        return ran;
    }

    /**
     * The errors of the inputs that ran, by offset, {@code null} where one succeeded; after {@link #run}.
     *
     * @return the errors, or {@code null} when none failed and none were shared from the start
     */
    public final @Nullable Throwable @Nullable [] errors() {
        return errors;
    }

    /**
     * Checked before each input, before it is read.
     *
     * @param offset the input's position in the chunk
     * @return whether the chunk stops before this input
     */
    protected abstract boolean stopsBefore(int offset);

    /**
     * The input could not be read from the chunk's list.
     *
     * @param offset the input's position in the chunk
     * @param error what reading it threw
     * @return {@code true} to stop the chunk before this input, {@code false} to count {@code error} as its failure
     */
    protected abstract boolean unreadable(int offset, Throwable error);

    /**
     * Guarded runners only: checked once the input has been read, just before it runs.
     *
     * @param offset the input's position in the chunk
     * @return whether it may run; {@code false} stops the chunk before it
     */
    protected abstract boolean starts(int offset);

    /**
     * Guarded runners only: called just before the body, in the same {@code try}.
     *
     * @param offset the input's position in the chunk
     * @throws Exception the input's error (for example, an interrupt while waiting for a permit)
     */
    protected abstract void enter(int offset) throws Exception;

    /**
     * Guarded runners only: called once the body returned or threw, or {@link #enter} threw.
     *
     * @param offset the input's position in the chunk
     * @param failure what the input failed with, or {@code null}
     * @return what the input failed with, after all (a task timeout replaces what the body did)
     */
    protected abstract @Nullable Throwable exit(int offset, @Nullable Throwable failure);

    /**
     * Checked after an input that failed, and, for a guarded runner, after every input.
     *
     * @param offset the input's position in the chunk
     * @param failure what it failed with, or {@code null}
     * @return whether the chunk ends after this input
     */
    protected abstract boolean endsAt(int offset, @Nullable Throwable failure);
}
