package dev.parfor.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * A parfor property that cannot be used. Thrown at start-up, before any loop runs; {@link ParforFailureAnalyzer}
 * turns it into the start-up failure report: the property, its value as written, where it was set, the problem and
 * the fix. Every bad parfor property goes through this one exception.
 */
public final class InvalidParforPropertyException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final String property;
    private final String value;
    private final @Nullable String origin;
    private final String problem;
    private final String action;

    /**
     * A bad property whose value and origin are looked up when the failure is reported.
     *
     * @param property the property's full name, such as {@code parfor.engines.io.parallelism}
     * @param value the bound value (shown only when no property source sets the property)
     * @param problem what is wrong, without a final period
     * @param action how to fix it, as sentences
     */
    public InvalidParforPropertyException(String property, @Nullable Object value, String problem, String action) {
        this(property, WrittenProperties.render(value), null, problem, action);
    }

    InvalidParforPropertyException(
            String property, String value, @Nullable String origin, String problem, String action) {
        super("Invalid parfor configuration: property '" + property + "' has the value '" + value + "'"
                + (origin == null ? "" : " (" + origin + ")") + ": " + problem + ". " + action);
        this.property = property;
        this.value = value;
        this.origin = origin;
        this.problem = problem;
        this.action = action;
    }

    /**
     * The property's full name.
     *
     * @return the name
     */
    public String property() {
        return property;
    }

    String value() {
        return value;
    }

    @Nullable
    String origin() {
        return origin;
    }

    String problem() {
        return problem;
    }

    String action() {
        return action;
    }
}
