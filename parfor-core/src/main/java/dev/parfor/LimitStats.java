package dev.parfor;

/**
 * The use of a named limit that several loops share ({@link ParallelFor.Builder#limit}): how many tasks hold a permit,
 * how many wait, and what waiting has cost. Thread-safe; every figure is a snapshot or a count since the limit was
 * made.
 */
public interface LimitStats {

    /**
     * The most tasks of all loops using the limit that run at once.
     *
     * @return the bound, or 0 when the limit bounds only the rate
     */
    int maxConcurrency();

    /**
     * The permits handed out per second, on average, to all loops using the limit.
     *
     * @return the rate, or 0 when the limit bounds only concurrency
     */
    double permitsPerSecond();

    /**
     * Tasks holding a permit now.
     *
     * @return the count
     */
    int inUse();

    /**
     * Tasks waiting for a permit now.
     *
     * @return the count
     */
    int waiting();

    /**
     * Permits handed out so far.
     *
     * @return the count
     */
    long acquired();

    /**
     * Tasks that stopped waiting without a permit (their loop stopped, or their thread was interrupted).
     *
     * @return the count
     */
    long rejected();

    /**
     * Time tasks spent waiting for permits, in total.
     *
     * @return nanoseconds
     */
    long waitNanos();
}
