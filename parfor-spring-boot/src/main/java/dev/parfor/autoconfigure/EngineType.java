package dev.parfor.autoconfigure;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/** The engine types a {@code parfor.engines.<name>.type} property accepts. */
enum EngineType {
    SEQUENTIAL("sequential"),
    FORK_JOIN("fork-join"),
    VIRTUAL("virtual"),
    EXECUTOR("executor"),
    HAZELCAST("hazelcast");

    private final String id;

    EngineType(String id) {
        this.id = id;
    }

    String id() {
        return id;
    }

    /** The type with this id (case and '_' versus '-' do not matter), or null. */
    static @Nullable EngineType of(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (EngineType type : values()) {
            if (type.id.equals(wanted)) {
                return type;
            }
        }
        return null;
    }

    static String accepted() {
        return Arrays.stream(values()).map(EngineType::id).collect(Collectors.joining(", "));
    }
}
