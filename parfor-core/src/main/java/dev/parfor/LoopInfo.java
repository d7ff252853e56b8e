package dev.parfor;

import java.time.Instant;

/**
 * What identifies a running loop, passed to {@link LoopListener}s.
 *
 * @param id unique id of this run of the loop
 * @param name the loop's name (given with {@link ParallelFor#loop(String)}, or taken from the calling method)
 * @param engine the name of the engine the loop runs on
 * @param engineType the type of that engine, such as {@code fork-join}
 * @param parallelism how many tasks of this loop may run at once
 * @param startedAt when the loop started
 */
public record LoopInfo(String id, String name, String engine, String engineType, int parallelism, Instant startedAt) {

    /** Checks the components. */
    public LoopInfo {
        Checks.notNull(id, "id");
        Checks.notNull(name, "name");
        Checks.notNull(engine, "engine");
        Checks.notNull(engineType, "engineType");
        Checks.notNull(startedAt, "startedAt");
    }
}
