package dev.parfor;

/** Runs chunks on the caller's thread, one after another. */
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
    public boolean runsOnCaller() {
        return true;
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
