package dev.parfor;

import dev.parfor.spi.Chunk;
import dev.parfor.spi.Engine;
import dev.parfor.spi.Placement;

/** Runs chunks on the caller's thread, one after another: the scheduler runs them itself. */
final class SequentialEngine implements Engine {

    @Override
    public String type() {
        return "sequential";
    }

    @Override
    public int parallelism() {
        return 1;
    }

    @Override
    public Placement placement() {
        return Placement.CALLER;
    }

    @Override
    public void execute(Chunk chunk) {
        chunk.run();
    }

    @Override
    public String toString() {
        return "sequential";
    }
}
