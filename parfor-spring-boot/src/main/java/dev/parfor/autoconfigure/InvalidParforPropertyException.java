package dev.parfor.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * A parfor property that cannot be used. Thrown at start-up, before any loop runs; {@link ParforFailureAnalyzer}
 * turns it into the start-up failure report. Public for the auto-configuration of other parfor modules (Hazelcast).
 */
public final class InvalidParforPropertyException extends IllegalStateException {

    private final String property;
    private final @Nullable Object value;
    private final String problem;
    private final String action;

    /**
     * A property that cannot be used.
     *
     * @param property the property's full name, such as {@code parfor.hazelcast.embedded.port}
     * @param value the value as written
     * @param problem what is wrong with it
     * @param action how to fix it
     */
    public InvalidParforPropertyException(String property, @Nullable Object value, String problem, String action) {
        super("Invalid parfor configuration: property '" + property + "' has the value '" + value + "': " + problem
                + ". " + action);
        this.property = property;
        this.value = value;
        this.problem = problem;
        this.action = action;
    }

    String property() {
        return property;
    }

    @Nullable
    Object value() {
        return value;
    }

    String problem() {
        return problem;
    }

    String action() {
        return action;
    }
}
