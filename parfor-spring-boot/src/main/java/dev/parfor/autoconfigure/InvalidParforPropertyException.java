package dev.parfor.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * A parfor property that cannot be used. Thrown at start-up, before any loop runs; {@link ParforFailureAnalyzer}
 * turns it into the start-up failure report.
 */
final class InvalidParforPropertyException extends IllegalStateException {

    private final String property;
    private final @Nullable Object value;
    private final String problem;
    private final String action;

    InvalidParforPropertyException(String property, @Nullable Object value, String problem, String action) {
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
