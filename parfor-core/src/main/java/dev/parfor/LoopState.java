package dev.parfor;

import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A loop's lock, and whether and how the loop stopped and ended. The loop's consumer, its dispatch, its source reader
 * and the threads that end its chunks share it; the chunk queue and the tally are guarded by the same lock.
 *
 * <p>A loop <em>stops</em> once (fail-fast, deadline, cancel, interrupt, a failed source or a refused chunk): nothing
 * more is dispatched, what runs is cancelled, a blocked read of the source is interrupted, and the consumer wakes to
 * end the loop with the outcome and exception of that first stop. It <em>ends</em> once too, when the consumer is done
 * with it. {@code halt}, run under the lock when the loop stops or ends, must call no user code; so must the function
 * that builds a stop's exception from the failures so far: messages that need user objects are built before the lock
 * is taken.
 */
final class LoopState {

    final ReentrantLock lock;
    final Condition changed;

    private final Supplier<List<TaskFailure>> failures;
    private final Runnable halt;

    // Guarded by lock.
    private boolean stopped;
    private Outcome outcome = Outcome.CANCELLED;
    private @Nullable ParallelForException error;
    private @Nullable ScheduledFuture<?> deadline;
    // Written under lock, read without it: task events of a chunk that ends after the loop are not sent.
    private volatile boolean ended;

    /**
     * Set, without the lock, the moment the loop must stop starting inputs (a task failed for good under FAIL_FAST, or
     * the loop stopped): workers check it before each input.
     */
    volatile boolean halting;

    /** Whether the consumer was interrupted while the loop ran: it is interrupted again once the loop ends. */
    volatile boolean interruptCaller;

    /**
     * @param lock the loop's lock
     * @param changed a condition of {@code lock}, signalled whenever the consumer has something new to look at
     * @param failures the failures so far, read under the lock, for the exception a stop reports
     * @param halt run under the lock when the loop stops or ends: cancels its chunks and stops reading its source
     */
    LoopState(ReentrantLock lock, Condition changed, Supplier<List<TaskFailure>> failures, Runnable halt) {
        this.lock = lock;
        this.changed = changed;
        this.failures = failures;
        this.halt = halt;
    }

    /** Reads state guarded by the lock; {@code read} must call no user code. */
    <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: whether the loop has stopped (or ended). */
    boolean stopped() {
        return stopped;
    }

    /** Whether the loop has ended; read without the lock. */
    boolean ended() {
        return ended;
    }

    /** How the loop stopped; final once {@link #stopped} is true. */
    Outcome outcome() {
        return outcome;
    }

    /** Under the lock: the exception the loop stopped with, or null. */
    @Nullable
    ParallelForException error() {
        return error;
    }

    /** The loop's deadline timer, cancelled when the loop stops or ends. */
    void deadline(ScheduledFuture<?> timer) {
        lock.lock();
        try {
            deadline = timer;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the loop unless it has stopped already, with the exception {@code error} builds under the lock. Not under
     * the lock.
     *
     * @return whether this call stopped the loop
     */
    boolean stopOnce(Outcome outcome, Function<List<TaskFailure>, @Nullable ParallelForException> error) {
        lock.lock();
        try {
            return stop(outcome, error);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Under the lock: stops the loop unless it has stopped already, halts it, and wakes the consumer.
     *
     * @return whether this call stopped the loop
     */
    boolean stop(Outcome outcome, Function<List<TaskFailure>, @Nullable ParallelForException> error) {
        if (stopped) {
            return false;
        }
        this.error = error.apply(failures.get());
        this.outcome = outcome;
        halt();
        changed.signalAll();
        return true;
    }

    /**
     * Ends the loop, once: it counts as stopped, and chunks that end from now on are only taken off the queue.
     *
     * @return whether this call ended it
     */
    boolean end() {
        lock.lock();
        try {
            if (ended) {
                return false;
            }
            ended = true;
            halt();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void halt() {
        stopped = true;
        halting = true;
        halt.run();
        if (deadline != null) {
            deadline.cancel(false);
        }
    }
}
