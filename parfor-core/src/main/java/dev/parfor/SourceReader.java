package dev.parfor;

import org.jspecify.annotations.Nullable;

/**
 * Reads a loop's lazy source on the loop's consumer, one chunk at a time, as the chunk queue's window has room: a
 * source tied to the caller's thread (a JPA stream in the caller's transaction) is read there. The source is user
 * code: it is read outside the loop's lock, and the timer interrupts a read that blocks past the loop's deadline
 * (by stopping the loop). A source that fails once is not read again.
 */
final class SourceReader {

    private final LoopState state;
    private final ChunkQueue queue;
    /** The source, or null when the loop's inputs are not lazy: then there is never anything to read. */
    private final Inputs.@Nullable Lazy source;

    private final LoopErrors errors;

    SourceReader(LoopState state, ChunkQueue queue, Inputs inputs, LoopErrors errors) {
        this.state = state;
        this.queue = queue;
        this.source = inputs instanceof Inputs.Lazy lazy ? lazy : null;
        this.errors = errors;
    }

    /** Under the lock: whether the consumer should read more inputs now (never for inputs that are not lazy). */
    boolean wantsInput() {
        return !state.stopped() && queue.wantsInput();
    }

    /**
     * On the consumer, outside the lock: reads one chunk of the source into the queue, if it wants input.
     *
     * @return whether it read (or failed reading), so the consumer should look again at once
     */
    boolean read() {
        Inputs.Lazy source = this.source;
        if (source == null) {
            return false; // without taking the lock: most loops read a list by index
        }
        int size;
        long first;
        state.lock.lock();
        try {
            if (!wantsInput()) {
                return false;
            }
            first = queue.read();
            size = queue.readSize();
        } finally {
            state.lock.unlock();
        }
        Inputs.Lazy.Batch batch = source.read(size);
        Throwable failure = batch.failure();
        String message = failure == null
                ? null
                : errors.sourceMessage(first + batch.inputs().size(), failure);
        state.lock.lock();
        try {
            if (state.stopped()) {
                return true;
            }
            // A source that failed once is not read again: inputs after it would land at the wrong indices.
            queue.add(batch.inputs(), batch.end() || failure != null);
            if (failure != null) {
                state.stop(Outcome.FAILURE, failures -> errors.failed(message, failure, failures));
            }
            return true;
        } finally {
            state.lock.unlock();
        }
    }
}
