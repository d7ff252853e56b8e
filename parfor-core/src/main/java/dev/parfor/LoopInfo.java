package dev.parfor;

import java.time.Instant;

/** What identifies a running loop, passed to {@link LoopListener}s. Immutable; created by parfor only. */
public final class LoopInfo {

    private final String id;
    private final String name;
    private final String engine;
    private final String engineType;
    private final int parallelism;
    private final Instant startedAt;

    LoopInfo(String id, String name, String engine, String engineType, int parallelism, Instant startedAt) {
        this.id = id;
        this.name = name;
        this.engine = engine;
        this.engineType = engineType;
        this.parallelism = parallelism;
        this.startedAt = startedAt;
    }

    /**
     * The id of this run of the loop, unique across the JVMs of a cluster.
     *
     * @return the id
     */
    public String id() {
        return id;
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
     * The name of the engine the loop runs on.
     *
     * @return the engine's name
     */
    public String engine() {
        return engine;
    }

    /**
     * The type of that engine, such as {@code fork-join}.
     *
     * @return the type
     */
    public String engineType() {
        return engineType;
    }

    /**
     * How many tasks of this loop may run at once.
     *
     * @return at least 1
     */
    public int parallelism() {
        return parallelism;
    }

    /**
     * When the loop started.
     *
     * @return the instant
     */
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public String toString() {
        return "loop '" + name + "' (" + id + ") on " + engine + ", parallelism " + parallelism;
    }
}
