package dev.parfor;

/**
 * The use of a named limit that several loops share ({@link ParallelFor.Builder#limit}): how many tasks hold a permit,
 * how many wait, and what waiting has cost; its bounds are the ones given to the builder. Thread-safe; every figure
 * is a snapshot or a count since the limit was made.
 */
public interface LimitStats {

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
