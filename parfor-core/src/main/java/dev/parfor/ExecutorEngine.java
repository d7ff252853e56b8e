package dev.parfor;

import dev.parfor.spi.Chunk;
import dev.parfor.spi.Engine;
import dev.parfor.spi.EngineStats;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Runs chunks on an executor owned by someone else; the loop keeps at most parallelism of its chunks in it. The
 * executor may run chunks inline (a direct executor, or a saturated pool with a caller-runs policy): loops stay
 * correct, nested ones included.
 */
final class ExecutorEngine implements Engine, EngineStats {

    private final Executor executor;
    private final int parallelism;

    ExecutorEngine(Executor executor, int parallelism) {
        this.executor = executor;
        this.parallelism = parallelism;
    }

    @Override
    public String type() {
        return "executor";
    }

    @Override
    public int parallelism() {
        return parallelism;
    }

    @Override
    public void execute(Chunk chunk) {
        executor.execute(chunk::run);
    }

    @Override
    public Optional<EngineStats> stats() {
        return Optional.of(this);
    }

    @Override
    public int activeCount() {
        return executor instanceof ThreadPoolExecutor pool ? pool.getActiveCount() : -1;
    }

    @Override
    public long queuedCount() {
        return executor instanceof ThreadPoolExecutor pool ? pool.getQueue().size() : -1;
    }

    @Override
    public Optional<ExecutorService> executorService() {
        return executor instanceof ExecutorService service ? Optional.of(service) : Optional.empty();
    }

    @Override
    public String toString() {
        return "executor(" + executor + ", " + parallelism + ")";
    }
}
