package dev.parfor.sample;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * A large read-only data set built once at start-up: millions of pseudo-random numbers. Loops get it as their
 * context, so every task reads the same instance instead of a copy.
 *
 * @param values the numbers, each in {@code [0, bound)}
 * @param bound the exclusive upper bound of the values
 */
record NumberTable(int[] values, int bound) implements Serializable {

    /** The table of {@code size} numbers below {@code bound}, the same for a given seed. */
    static NumberTable random(int size, int bound, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] values = new int[size];
        for (int i = 0; i < size; i++) {
            // A skewed distribution (the minimum of two draws), so the histogram has a shape worth looking at.
            values[i] = Math.min(random.nextInt(bound), random.nextInt(bound));
        }
        return new NumberTable(values, bound);
    }

    /** How many numbers the table holds. */
    int size() {
        return values.length;
    }

    /** The table's size in memory, in bytes (the numbers only). */
    long bytes() {
        return 4L * values.length;
    }
}
