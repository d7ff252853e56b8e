package dev.parfor;

import org.jspecify.annotations.Nullable;

/** What identifies a running loop, passed to {@link LoopListener}s. Immutable; created by parfor only. */
public final class LoopInfo {

    final long number; // in the order loops started
    private @Nullable String id; // written once when first asked for: most loops never are
    private final String name;
    private final String engine;
    private final int parallelism;

    LoopInfo(long number, String name, String engine, int parallelism) {
        this.number = number;
        this.name = name;
        this.engine = engine;
        this.parallelism = parallelism;
    }

    /**
     * The id of this run of the loop, unique across the JVMs of a cluster.
     *
     * @return the id
     */
    public String id() {
        String written = id;
        if (written == null) {
            // A race writes equal strings; a String is safe to publish without a lock.
            written = LoopRuntime.loopId(number);
            id = written;
        }
        return written;
    }

    /**
     * The loop's name, given with {@link ParallelFor#loop(String)} or taken from the calling method.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The name of the engine the loop runs on; {@link ParallelFor#engines()} maps it to the engine.
     *
     * @return the engine's name
     */
    public String engine() {
        return engine;
    }

    /**
     * How many tasks of this loop may run at once.
     *
     * @return at least 1
     */
    public int parallelism() {
        return parallelism;
    }

    @Override
    public String toString() {
        return "loop '" + name + "' (" + id() + ") on " + engine + ", parallelism " + parallelism;
    }
}
