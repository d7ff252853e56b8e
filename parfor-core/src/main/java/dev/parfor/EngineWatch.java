package dev.parfor;

import dev.parfor.spi.Engine;
import dev.parfor.spi.EngineStats;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;

/**
 * Whether an engine's executor service is still there to run a loop's chunks. The engine's {@code stats()} and the
 * executor are user code (an engine over the application's own executor): every call is fenced.
 */
final class EngineWatch {

    private EngineWatch() {}

    /**
     * Whether the executor has terminated: a chunk waiting in it will never run. An engine that cannot tell counts as
     * running (the rejection of its next chunk will say what is wrong).
     */
    static boolean terminated(Engine engine) {
        return ask(engine, ExecutorService::isTerminated, false);
    }

    /**
     * Whether the executor has been shut down: a worker of it must not take the loop's next chunk itself. An engine
     * that cannot tell counts as shut down (its own {@code execute} will say what is wrong).
     */
    static boolean shutDown(Engine engine) {
        return ask(engine, ExecutorService::isShutdown, true);
    }

    private static boolean ask(Engine engine, Predicate<ExecutorService> question, boolean whenItFails) {
        try {
            return engine.stats()
                    .flatMap(EngineStats::executorService)
                    .map(question::test)
                    .orElse(false);
        } catch (Throwable e) {
            return whenItFails;
        }
    }
}
