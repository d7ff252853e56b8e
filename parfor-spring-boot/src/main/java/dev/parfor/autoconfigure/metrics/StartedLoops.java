package dev.parfor.autoconfigure.metrics;

import dev.parfor.LoopInfo;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * What a listener keeps for each loop between {@code loopStarted} and {@code loopFinished}, found again by the loop's
 * {@link LoopInfo} (parfor passes the same one to both). A loop takes a free slot of a small table, searched from a
 * place that depends on the starting thread, which is in nearly every case the thread that finishes the loop: putting
 * and taking cost one compare-and-set and one store, with no map node, lock or hash of the loop's id. Loops beyond the
 * table's slots go to a map. Thread-safe.
 *
 * @param <T> what is kept per loop
 */
final class StartedLoops<T extends StartedLoops.Kept> {

    private static final int SLOTS = 64;
    private static final int MASK = SLOTS - 1;

    private final AtomicReferenceArray<@Nullable T> slots = new AtomicReferenceArray<>(SLOTS);
    private final ConcurrentHashMap<LoopInfo, T> overflow = new ConcurrentHashMap<>();

    /** What is kept for one loop, which names the loop it belongs to. */
    interface Kept {

        /**
         * The loop this was kept for.
         *
         * @return the loop, as parfor passed it to {@code loopStarted}
         */
        LoopInfo loop();
    }

    /** Keeps {@code entry} for its loop, which must not be kept already. */
    void put(T entry) {
        int home = home();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (home + i) & MASK;
            if (slots.getPlain(slot) == null && slots.compareAndSet(slot, null, entry)) {
                return;
            }
        }
        overflow.put(entry.loop(), entry);
    }

    /**
     * Takes back what was kept for {@code loop}.
     *
     * @return the entry, or null when none was kept
     */
    @Nullable
    T remove(LoopInfo loop) {
        int home = home();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (home + i) & MASK;
            T entry = slots.get(slot);
            if (entry != null && entry.loop() == loop) {
                // Only the one call that finishes a loop takes its entry, so no other thread can have changed it.
                slots.setRelease(slot, null);
                return entry;
            }
        }
        return overflow.isEmpty() ? null : overflow.remove(loop);
    }

    /** The first slot a thread tries: threads that start loops at the same time mostly start apart. */
    private static int home() {
        return (int) Thread.currentThread().threadId() & MASK;
    }
}
