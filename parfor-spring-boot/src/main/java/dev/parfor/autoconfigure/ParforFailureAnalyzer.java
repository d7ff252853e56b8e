package dev.parfor.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a bad parfor property in the start-up failure report: the property, its value, what is accepted. */
final class ParforFailureAnalyzer extends AbstractFailureAnalyzer<InvalidParforPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidParforPropertyException cause) {
        String description = "The parfor property '" + cause.property() + "' has the value '" + cause.value()
                + "', which cannot be used: " + cause.problem() + ".";
        return new FailureAnalysis(description, cause.action(), cause);
    }
}
