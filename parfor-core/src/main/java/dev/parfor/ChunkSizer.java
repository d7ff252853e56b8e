package dev.parfor;

/**
 * Picks how many inputs go into each chunk. Tiny bodies are batched so that the cost of handing a chunk to an
 * engine is amortised; slow bodies run one per chunk so the load stays balanced. The estimate of a body's cost
 * starts from earlier runs of the same loop when there were any, otherwise sizes start at 1 and grow as chunks
 * report their time. Not thread-safe: the loop's lock guards it.
 */
final class ChunkSizer {

    /** A chunk should take about this long: long enough to amortise dispatch, short enough to balance. */
    static final long TARGET_CHUNK_NANOS = 500_000;

    /** For remote engines, whose every chunk costs a network round trip of milliseconds. */
    static final long REMOTE_TARGET_CHUNK_NANOS = 20_000_000;

    /** Where the measured cost is kept for the next run of the same loop on the same engine. */
    final LoopRuntime.Learned learned;

    private final int fixed;
    private final int max;
    private final long target;
    private double nanosPerInput;
    private int size = 1;

    /**
     * @param learned what earlier runs of the loop on the engine measured (the cost of one input, or NaN), and where
     *     this run's measure is kept for the next
     * @param fixed a chunk size the user chose, or 0 for automatic
     * @param max the largest automatic size
     * @param target how long a chunk should take, in nanoseconds
     */
    ChunkSizer(LoopRuntime.Learned learned, int fixed, int max, long target) {
        this.learned = learned;
        double learnedNanosPerInput = learned.nanosPerInput;
        this.fixed = fixed;
        this.max = Math.max(1, max);
        this.target = target;
        this.nanosPerInput = learnedNanosPerInput;
        if (!Double.isNaN(learnedNanosPerInput)) {
            size = ideal();
        }
    }

    /** The chunk size the user fixed, or 0 for automatic. */
    int fixed() {
        return fixed;
    }

    int next() {
        return fixed > 0 ? fixed : size;
    }

    void record(int inputs, long nanos) {
        if (fixed > 0 || inputs <= 0) {
            return;
        }
        double sample = Math.max(1.0, (double) nanos / inputs);
        nanosPerInput = Double.isNaN(nanosPerInput) ? sample : 0.7 * nanosPerInput + 0.3 * sample;
        // Grow at most fourfold per report: early chunks run cold code and over-estimate the cost.
        size = Math.min(ideal(), size * 4);
    }

    double nanosPerInput() {
        return nanosPerInput;
    }

    private int ideal() {
        double ideal = target / Math.max(1.0, nanosPerInput);
        return (int) Math.max(1, Math.min(max, ideal));
    }
}
