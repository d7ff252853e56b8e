package dev.parfor.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Explains a bad parfor property in the start-up failure report: the property, its value as written, where it was
 * set, what is wrong and what is accepted. Runs before Spring Boot's own analyzers, so that a parfor property that
 * fails to bind is reported here too.
 */
final class ParforFailureAnalyzer extends AbstractFailureAnalyzer<InvalidParforPropertyException> implements Ordered {

    private final WrittenProperties written;

    ParforFailureAnalyzer(@Nullable Environment environment) {
        this.written = WrittenProperties.of(environment);
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidParforPropertyException cause) {
        String value = cause.value();
        String origin = cause.origin();
        if (origin == null) {
            ConfigurationProperty found = written.find(cause.property());
            if (found != null) {
                value = WrittenProperties.value(found, null);
                origin = WrittenProperties.origin(found);
            }
        }
        String description = "The parfor property '" + cause.property() + "' has the value '" + value + "'"
                + (origin == null ? "" : " (" + origin + ")") + ", which cannot be used: " + cause.problem() + ".";
        return new FailureAnalysis(description, cause.action(), cause);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
