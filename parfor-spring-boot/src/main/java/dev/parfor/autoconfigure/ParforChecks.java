package dev.parfor.autoconfigure;

import dev.parfor.autoconfigure.ParforProperties.EngineProperties;
import dev.parfor.autoconfigure.ParforProperties.LoopProperties;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Every check of the parfor properties, so that a bad value stops start-up with one clear message. */
final class ParforChecks {

    static final String PREFIX = "parfor";

    private ParforChecks() {}

    /** Checks the values that need nothing but the properties; run before any engine is created. */
    static void checkValues(ParforProperties properties) {
        if (properties.getEngine() == null || properties.getEngine().isBlank()) {
            throw new InvalidParforPropertyException(
                    "parfor.engine",
                    properties.getEngine(),
                    "the default engine needs a name",
                    "Set 'parfor.engine' to the name of an engine, for example fork-join, virtual or sequential.");
        }
        for (Map.Entry<String, EngineProperties> entry : properties.getEngines().entrySet()) {
            checkEngine(entry.getKey(), entry.getValue());
        }
        for (Map.Entry<String, LoopProperties> entry : properties.getLoops().entrySet()) {
            checkLoop(entry.getKey(), entry.getValue());
        }
        Duration interval = properties.getProgress().getInterval();
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new InvalidParforPropertyException(
                    "parfor.progress.interval",
                    interval,
                    "the progress interval must be longer than zero",
                    "Set 'parfor.progress.interval' to a positive duration such as 10s, or set"
                            + " 'parfor.progress.log-level' to off to turn progress lines off.");
        }
        Duration grace = properties.getShutdown().getAwaitTerminationPeriod();
        if (grace == null || grace.isNegative()) {
            throw new InvalidParforPropertyException(
                    "parfor.shutdown.await-termination-period",
                    grace,
                    "the period must not be negative",
                    "Set 'parfor.shutdown.await-termination-period' to 0s or a positive duration such as 10s.");
        }
    }

    private static void checkEngine(String name, EngineProperties engine) {
        String at = "parfor.engines." + name + ".";
        EngineType type = type(name, engine);
        if (engine.getType() != null && type == null) {
            throw new InvalidParforPropertyException(
                    at + "type",
                    engine.getType(),
                    "it is not an engine type",
                    "Set '" + at + "type' to one of: " + EngineType.accepted() + ".");
        }
        atLeastOne(at + "parallelism", engine.getParallelism());
        atLeastOne(at + "max-concurrency", engine.getMaxConcurrency());
        atLeastOne(at + "chunk-size", engine.getChunkSize());
        atLeastOne(at + "pool-size", engine.getPoolSize());
        atLeastOne(at + "max-attempts", engine.getMaxAttempts());
        if (engine.getThreadNamePrefix() != null && engine.getThreadNamePrefix().isBlank()) {
            throw new InvalidParforPropertyException(
                    at + "thread-name-prefix",
                    engine.getThreadNamePrefix(),
                    "a thread name prefix must not be blank",
                    "Set '" + at + "thread-name-prefix' to text such as 'parfor-" + name
                            + "-', or remove it for the default.");
        }
        if (type == EngineType.EXECUTOR
                && (engine.getExecutor() == null || engine.getExecutor().isBlank())) {
            throw new InvalidParforPropertyException(
                    at + "executor",
                    engine.getExecutor(),
                    "an engine of type executor needs the name of an existing Executor bean",
                    "Set '" + at + "executor' to the name of an Executor bean, for example applicationTaskExecutor.");
        }
    }

    private static void checkLoop(String name, LoopProperties loop) {
        String at = "parfor.loops." + name + ".";
        if (loop.getEngine() != null && loop.getEngine().isBlank()) {
            throw new InvalidParforPropertyException(
                    at + "engine",
                    loop.getEngine(),
                    "an engine name must not be blank",
                    "Set '" + at + "engine' to the name of an engine, or remove it.");
        }
        atLeastOne(at + "parallelism", loop.getParallelism());
        atLeastOne(at + "chunk-size", loop.getChunkSize());
        positive(at + "timeout", loop.getTimeout());
        positive(at + "task-timeout", loop.getTaskTimeout());
        if (loop.getRetries() != null && loop.getRetries() < 0) {
            throw new InvalidParforPropertyException(
                    at + "retries",
                    loop.getRetries(),
                    "the number of retries must not be negative",
                    "Set '" + at + "retries' to 0 or more.");
        }
        if (loop.getBackoff() != null && loop.getBackoff().isNegative()) {
            throw new InvalidParforPropertyException(
                    at + "backoff",
                    loop.getBackoff(),
                    "the backoff must not be negative",
                    "Set '" + at + "backoff' to 0s or a positive duration such as 100ms.");
        }
        if (loop.getBackoff() != null && loop.getRetries() == null) {
            throw new InvalidParforPropertyException(
                    at + "backoff",
                    loop.getBackoff(),
                    "a backoff needs a number of retries",
                    "Set '" + at + "retries' as well, or remove '" + at + "backoff'.");
        }
    }

    /**
     * Checks the names that refer to engines, once every engine bean is known.
     *
     * @param engines the names of the engine beans
     */
    static void checkNames(ParforProperties properties, Collection<String> engines) {
        for (Map.Entry<String, EngineProperties> entry : properties.getEngines().entrySet()) {
            String name = entry.getKey();
            if (engines.contains(name)) {
                continue;
            }
            String at = "parfor.engines." + name + ".type";
            EngineType type = type(name, entry.getValue());
            if (type == EngineType.HAZELCAST) {
                throw new InvalidParforPropertyException(
                        at,
                        entry.getValue().getType(),
                        "an engine of type hazelcast needs parfor's Hazelcast support, and no Engine bean named '"
                                + name + "' exists",
                        "Add com.hazelcast:hazelcast to the application's dependencies (parfor then starts an"
                                + " embedded member or uses the application's HazelcastInstance), or set '" + at
                                + "' to another type: " + EngineType.accepted() + ".");
            }
            throw new InvalidParforPropertyException(
                    at,
                    entry.getValue().getType(),
                    "engine '" + name + "' is not built in and no Engine bean has that name, so it needs a type",
                    "Set '" + at + "' to one of: " + EngineType.accepted() + ".");
        }
        String known = String.join(", ", new TreeSet<>(engines));
        if (!engines.contains(properties.getEngine())) {
            throw new InvalidParforPropertyException(
                    "parfor.engine",
                    properties.getEngine(),
                    "no engine has that name" + hazelcastHint(properties.getEngine()),
                    "Set 'parfor.engine' to one of the engines: " + known + ", or declare it under 'parfor.engines."
                            + properties.getEngine() + "'.");
        }
        for (Map.Entry<String, LoopProperties> entry : properties.getLoops().entrySet()) {
            String engine = entry.getValue().getEngine();
            if (engine != null && !engines.contains(engine)) {
                String at = "parfor.loops." + entry.getKey() + ".engine";
                throw new InvalidParforPropertyException(
                        at,
                        engine,
                        "loop '" + entry.getKey() + "' is routed to an engine that does not exist"
                                + hazelcastHint(engine),
                        "Set '" + at + "' to one of the engines: " + known + ", or declare it under 'parfor.engines."
                                + engine + "'.");
            }
        }
    }

    /** The type of an engine: its own, else the built-in engine's of that name, else null. */
    static @Nullable EngineType type(String name, EngineProperties engine) {
        if (engine.getType() != null) {
            return EngineType.of(engine.getType());
        }
        return switch (name) {
            case "sequential" -> EngineType.SEQUENTIAL;
            case "fork-join" -> EngineType.FORK_JOIN;
            case "virtual" -> EngineType.VIRTUAL;
            default -> null;
        };
    }

    private static String hazelcastHint(String engine) {
        return "hazelcast".equals(engine)
                ? " (the hazelcast engine exists when com.hazelcast:hazelcast is on the class path)"
                : "";
    }

    private static void atLeastOne(String property, @Nullable Integer value) {
        if (value != null && value < 1) {
            throw new InvalidParforPropertyException(
                    property,
                    value,
                    "it must be at least 1",
                    "Set '" + property + "' to 1 or more, or remove it for the default.");
        }
    }

    private static void positive(String property, @Nullable Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new InvalidParforPropertyException(
                    property,
                    value,
                    "it must be longer than zero",
                    "Set '" + property + "' to a positive duration such as 30s, or remove it.");
        }
    }
}
