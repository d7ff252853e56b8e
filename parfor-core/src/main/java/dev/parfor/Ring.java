package dev.parfor;

import org.jspecify.annotations.Nullable;

/**
 * The results of the inputs between the oldest undelivered one and the newest read one, addressed by input index.
 * Grows as needed; the loop bounds it for streams by not reading ahead. Not thread-safe: the loop's lock guards it.
 */
final class Ring {

    static final byte PENDING = 0;
    static final byte OK = 1;
    static final byte FAILED = 2;
    static final byte TAKEN = 3;

    private @Nullable Object[] values;
    private byte[] states;
    private int mask;
    private long low;
    private long high;

    Ring(int initialCapacity) {
        int capacity = Integer.highestOneBit(Math.max(16, initialCapacity - 1)) << 1;
        values = new Object[capacity];
        states = new byte[capacity];
        mask = capacity - 1;
    }

    /** Index of the oldest slot not yet taken. */
    long low() {
        return low;
    }

    /** Index after the newest slot. */
    long high() {
        return high;
    }

    /** Makes room for the inputs up to {@code newHigh} (exclusive), all pending. */
    void extendTo(long newHigh) {
        long needed = newHigh - low;
        if (needed > values.length) {
            grow(needed);
        }
        high = Math.max(high, newHigh);
    }

    void set(long index, @Nullable Object value, byte state) {
        int at = (int) (index & mask);
        values[at] = value;
        states[at] = state;
    }

    byte state(long index) {
        return states[(int) (index & mask)];
    }

    @Nullable
    Object value(long index) {
        return values[(int) (index & mask)];
    }

    /** Marks one slot taken (for completion-order streams), then releases taken slots at the low end. */
    void take(long index) {
        states[(int) (index & mask)] = TAKEN;
        while (low < high && states[(int) (low & mask)] == TAKEN) {
            clear(low);
            low++;
        }
    }

    /** Releases the lowest slot after its value was delivered. */
    void advance() {
        clear(low);
        low++;
    }

    private void clear(long index) {
        int at = (int) (index & mask);
        values[at] = null;
        states[at] = PENDING;
    }

    private void grow(long needed) {
        int capacity = values.length;
        while (capacity < needed) {
            capacity <<= 1;
        }
        Object[] newValues = new Object[capacity];
        byte[] newStates = new byte[capacity];
        int newMask = capacity - 1;
        for (long i = low; i < high; i++) {
            newValues[(int) (i & newMask)] = values[(int) (i & mask)];
            newStates[(int) (i & newMask)] = states[(int) (i & mask)];
        }
        values = newValues;
        states = newStates;
        mask = newMask;
    }
}
