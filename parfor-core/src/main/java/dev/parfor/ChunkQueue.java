package dev.parfor;

import dev.parfor.internal.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A loop's chunks between its inputs and the engine: how far the inputs have been read, the chunks ready to run, the
 * ones running, and the retries waiting for their backoff. Cuts a random-access list into chunks by index (views,
 * nothing copied: the runner reads them) and turns batches read from a lazy source into chunks, never more than the
 * plan's window ahead of the oldest pending input; keeps the chunks the timer abandoned until the consumer ends them.
 * Guarded by the loop's lock, which the timer takes only to queue a retry whose backoff has passed or a chunk it
 * abandoned; calls no user code.
 */
final class ChunkQueue {

    /** A chunk the timer abandoned after a task timeout, with the outcome it ended with. */
    record HandOff(LocalChunk chunk, ChunkEnd outcome) {}

    private final LoopRun loop;
    private final Inputs inputs;
    private final Plan plan;
    private final Sink sink;
    private final ReentrantLock lock;
    private final Condition changed;

    // A list, not a set: a chunk knows its slot, so adding and removing one allocates nothing and hashes nothing, and
    // looking for one no thread has taken is a scan of an array (most loops run one chunk per thread at a time).
    private final ArrayList<LocalChunk> running = new ArrayList<>();
    private final ArrayDeque<LocalChunk> ready = new ArrayDeque<>();
    private final ArrayDeque<HandOff> handOffs = new ArrayDeque<>();
    private long read;
    private boolean exhausted;
    private int retriesWaiting;
    private boolean cancelled;

    /**
     * @param loop the loop the chunks belong to, handed to each chunk this queue makes
     * @param lock the loop's lock, which guards this queue
     * @param changed signalled when a retry becomes ready
     */
    ChunkQueue(LoopRun loop, Inputs inputs, Plan plan, Sink sink, ReentrantLock lock, Condition changed) {
        this.loop = loop;
        this.inputs = inputs;
        this.plan = plan;
        this.sink = sink;
        this.lock = lock;
        this.changed = changed;
        this.exhausted = inputs instanceof Inputs.Indexed indexed && indexed.size == 0;
    }

    /** How many inputs have been read (or cut) so far. */
    long read() {
        return read;
    }

    boolean exhausted() {
        return exhausted;
    }

    /** Every input has been read, and none is ready, running, waiting for a retry, or abandoned and not yet ended. */
    boolean drained() {
        return exhausted && running.isEmpty() && ready.isEmpty() && retriesWaiting == 0 && handOffs.isEmpty();
    }

    /** On the timer: a chunk abandoned after a task timeout, for the consumer to end. */
    void handOff(LocalChunk chunk, ChunkEnd outcome) {
        lock.lock();
        try {
            handOffs.add(new HandOff(chunk, outcome));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean hasHandOffs() {
        return !handOffs.isEmpty();
    }

    /** The chunks the timer abandoned since the last call, removed from this queue. */
    List<HandOff> takeHandOffs() {
        if (handOffs.isEmpty()) {
            return List.of();
        }
        List<HandOff> due = new ArrayList<>(handOffs);
        handOffs.clear();
        return due;
    }

    /** Whether the consumer should read more of a lazy source now: the window has room and few chunks are ready. */
    boolean wantsInput() {
        if (exhausted || !(inputs instanceof Inputs.Lazy) || read - sink.low() >= plan.window()) {
            return false;
        }
        return ready.size() < (plan.callerRuns() ? 1 : plan.parallelism());
    }

    /** How many inputs the next read of a lazy source should ask for. */
    int readSize() {
        return (int) Math.max(1, Math.min(plan.sizer().next(), plan.window() - (read - sink.low())));
    }

    /** Inputs read from a lazy source, as the next chunk; {@code end} when the source has no more, or failed. */
    void add(List<Object> batch, boolean end) {
        if (!batch.isEmpty()) {
            ready.add(new LocalChunk(loop, read, batch, 1));
            read += batch.size();
            sink.extend(read);
        }
        exhausted |= end;
    }

    /** The next chunk to run, now counted as running; null when none is ready or fewer than parallelism must run. */
    @Nullable
    LocalChunk start(boolean belowParallelism) {
        if (belowParallelism && running.size() >= plan.parallelism()) {
            return null;
        }
        LocalChunk chunk = ready.poll();
        if (chunk == null) {
            chunk = cutIndexed();
        }
        if (chunk != null && chunk.runningSlot < 0) {
            chunk.runningSlot = running.size();
            running.add(chunk);
        }
        return chunk;
    }

    /** A chunk ended and no longer counts as running. */
    void ended(LocalChunk chunk) {
        int slot = chunk.runningSlot;
        if (slot < 0 || slot >= running.size() || running.get(slot) != chunk) {
            return; // not running (any more)
        }
        LocalChunk last = running.removeLast();
        if (last != chunk) {
            running.set(slot, last);
            last.runningSlot = slot;
        }
        chunk.runningSlot = -1;
    }

    /** A running chunk that no thread has taken yet (one the consumer can run itself), or null. */
    @Nullable
    LocalChunk firstNew() {
        for (int i = 0, n = running.size(); i < n; i++) {
            LocalChunk chunk = running.get(i);
            if (chunk.isNew()) {
                return chunk;
            }
        }
        return null;
    }

    /**
     * What of a chunk that ended runs again: its inputs to retry, each as a chunk of its own after its backoff (a
     * retry that is due is queued by the timer and dispatched by the consumer or a worker, never the timer), and the
     * inputs it did not reach, first.
     */
    void requeue(LocalChunk chunk, int ran, ChunkReview.Verdict verdict) {
        for (int i = 0; verdict.retry() != null && i < ran; i++) {
            if (verdict.retries(i)) {
                LocalChunk retry = new LocalChunk(
                        loop,
                        chunk.firstIndex + i,
                        Collections.singletonList(verdict.retryInput(i)),
                        chunk.attempt + 1);
                long delay = plan.backoffFor(
                        chunk.attempt, ThreadLocalRandom.current().nextDouble());
                if (delay <= 0) {
                    ready.add(retry);
                } else {
                    retriesWaiting++;
                    Timer.schedule(() -> retryDue(retry), delay);
                }
            }
        }
        if (verdict.rest() != null) {
            // The chunk stopped early (a task timed out, failed under FAIL_FAST and will be retried, or a remote
            // member gave up): run the rest again.
            ready.addFirst(new LocalChunk(loop, chunk.firstIndex + ran, verdict.rest(), chunk.attempt));
        }
    }

    /** On the timer: a retry's backoff has passed; it runs unless the loop has stopped. */
    private void retryDue(LocalChunk retry) {
        lock.lock();
        try {
            retriesWaiting--;
            if (!cancelled) {
                ready.add(retry);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The loop stopped: nothing ready runs, and what runs is cancelled. */
    void cancel() {
        cancelled = true;
        for (int i = 0, n = running.size(); i < n; i++) {
            running.get(i).cancel();
        }
        ready.clear();
    }

    /** The next chunk of a random-access list, or null. */
    private @Nullable LocalChunk cutIndexed() {
        if (exhausted || !(inputs instanceof Inputs.Indexed indexed)) {
            return null;
        }
        long room = plan.window() - (read - sink.low());
        int size = (int) Math.min(Math.min(plan.sizer().next(), indexed.size - read), room);
        if (size <= 0) {
            return null;
        }
        LocalChunk chunk = new LocalChunk(
                loop, read, indexed.list, (int) read, size, 1, read == 0 && size == indexed.size, indexed.size);
        read += size;
        sink.extend(read);
        if (read >= indexed.size) {
            exhausted = true;
        }
        return chunk;
    }
}
