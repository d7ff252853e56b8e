package dev.parfor.reliability;

import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import dev.parfor.spi.Engine;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One engine under test with the {@link ParallelFor} that owns it, and for the executor engine the small fixed pool
 * it runs on, which closing the rig shuts down as well.
 */
record Rig(Kind kind, ParallelFor parfor, @Nullable ExecutorService pool) implements AutoCloseable {

    /** The local engines, each as small as it gets on a shared two-core machine. */
    enum Kind {
        SEQUENTIAL("sequential", 1),
        FORK_JOIN("fork-join", 2),
        VIRTUAL("virtual", 4),
        EXECUTOR("executor", 2);

        final String engineName;
        final int parallelism;

        Kind(String engineName, int parallelism) {
            this.engineName = engineName;
            this.parallelism = parallelism;
        }

        boolean parallel() {
            return this != SEQUENTIAL;
        }

        static List<Kind> parallelOnes() {
            return List.of(FORK_JOIN, VIRTUAL, EXECUTOR);
        }

        @Override
        public String toString() {
            return engineName;
        }
    }

    static Rig start(Kind kind) {
        return start(kind, new dev.parfor.LoopListener() {});
    }

    static Rig start(Kind kind, dev.parfor.LoopListener listener) {
        ExecutorService pool = null;
        Engine engine = switch (kind) {
            case SEQUENTIAL -> Engines.sequential();
            case FORK_JOIN -> Engines.forkJoin(kind.parallelism);
            case VIRTUAL -> Engines.virtualThreads(kind.parallelism);
            case EXECUTOR -> {
                pool = Executors.newFixedThreadPool(kind.parallelism);
                yield Engines.executor(pool, kind.parallelism);
            }
        };
        ParallelFor parfor = ParallelFor.builder()
                .engine(kind.engineName, engine)
                .listener(listener)
                .build();
        return new Rig(kind, parfor, pool);
    }

    int parallelism() {
        return kind.parallelism;
    }

    @Override
    public void close() {
        parfor.close();
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return kind.engineName;
    }
}
