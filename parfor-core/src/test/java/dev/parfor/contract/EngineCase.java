package dev.parfor.contract;

import dev.parfor.Engines;
import dev.parfor.spi.Engine;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** One engine of the contract suite; every behavioural test runs once per case. */
record EngineCase(String name, Supplier<Engine> factory, boolean parallel) {

    @Override
    public String toString() {
        return name;
    }

    static List<EngineCase> all() {
        return List.of(
                new EngineCase("sequential", Engines::sequential, false),
                new EngineCase("fork-join", () -> Engines.forkJoin(2), true),
                new EngineCase("virtual", () -> Engines.virtualThreads(4), true),
                new EngineCase("executor", ExecutorCase::create, true));
    }

    /** An executor engine over a small fixed pool that is shut down with the engine. */
    static final class ExecutorCase {
        static Engine create() {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Engine inner = Engines.executor(pool, 2);
            return new Engine() {
                @Override
                public String type() {
                    return inner.type();
                }

                @Override
                public int parallelism() {
                    return inner.parallelism();
                }

                @Override
                public void execute(dev.parfor.spi.Chunk chunk) {
                    inner.execute(chunk);
                }

                @Override
                public void close() {
                    pool.shutdownNow();
                }
            };
        }
    }
}
