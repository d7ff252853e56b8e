package dev.parfor.spi;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * The load of an engine, for metrics, the actuator and the scheduler's check that an engine's executor still runs
 * what it accepted. Implementations must be thread-safe and quick; every figure is a best-effort snapshot.
 */
public interface EngineStats {

    /**
     * Tasks running now.
     *
     * @return the count, or -1 when unknown
     */
    int activeCount();

    /**
     * Tasks accepted but not yet started.
     *
     * @return the count, or -1 when unknown
     */
    long queuedCount();

    /**
     * The executor service behind the engine, when there is one: metrics observe its pool, and a loop whose chunks
     * wait in an executor service that has terminated ends with a clear error instead of waiting for ever.
     *
     * @return the executor service, or empty
     */
    default Optional<ExecutorService> executorService() {
        return Optional.empty();
    }
}
