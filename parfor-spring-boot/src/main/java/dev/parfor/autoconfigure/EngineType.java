package dev.parfor.autoconfigure;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The type of an engine declared under {@code parfor.engines.<name>.type}. */
public enum EngineType {
    /** Every task on the caller's thread, in input order; for debugging. */
    SEQUENTIAL("sequential"),
    /** A dedicated ForkJoinPool, for CPU-bound bodies. */
    FORK_JOIN("fork-join"),
    /** A virtual thread per task, for blocking I/O. */
    VIRTUAL("virtual"),
    /** An existing {@code Executor} bean of the application. */
    EXECUTOR("executor"),
    /** A Hazelcast cluster; needs parfor-hazelcast and com.hazelcast:hazelcast. */
    HAZELCAST("hazelcast");

    private final String id;

    EngineType(String id) {
        this.id = id;
    }

    /**
     * The type as written in properties and returned by {@code Engine.type()}.
     *
     * @return the id, for example {@code fork-join}
     */
    public String id() {
        return id;
    }

    /** The accepted values, as a user writes them. */
    static String accepted() {
        return Arrays.stream(values()).map(EngineType::id).collect(Collectors.joining(", "));
    }

    /**
     * The type of a built-in engine of this name, or null when the name is not a built-in engine's.
     *
     * @param name an engine's name
     */
    static @org.jspecify.annotations.Nullable EngineType builtIn(String name) {
        return switch (name) {
            case "sequential" -> SEQUENTIAL;
            case "fork-join" -> FORK_JOIN;
            case "virtual" -> VIRTUAL;
            default -> null;
        };
    }
}
