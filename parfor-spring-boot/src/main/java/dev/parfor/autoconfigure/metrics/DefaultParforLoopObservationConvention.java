package dev.parfor.autoconfigure.metrics;

import dev.parfor.ParallelForException;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import java.util.Locale;

/**
 * The default names and key values of the observation {@code parfor.loop}: low-cardinality keys {@code engine},
 * {@code loop} and, once the loop ended, {@code outcome} (success, partial, failure, timeout, cancelled) and
 * {@code exception} (the simple class name of the failure's cause, or {@code none}); the high-cardinality key
 * {@code loop.id}. Thread-safe.
 */
public class DefaultParforLoopObservationConvention implements ParforLoopObservationConvention {

    /** The observation's name, and so the timer's. */
    public static final String NAME = "parfor.loop";

    /** Creates the convention. */
    public DefaultParforLoopObservationConvention() {}

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getContextualName(ParforLoopObservationContext context) {
        return "parfor " + context.getLoop().name();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(ParforLoopObservationContext context) {
        KeyValues values = KeyValues.of(
                KeyValue.of("engine", context.getLoop().engine()),
                KeyValue.of("loop", context.getLoop().name()));
        if (context.getOutcome() == null) {
            return values; // still running: the long task timer carries only what is known
        }
        return values.and(
                KeyValue.of("outcome", context.getOutcome().name().toLowerCase(Locale.ROOT)),
                KeyValue.of("exception", exception(context.getError())));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(ParforLoopObservationContext context) {
        return KeyValues.of(KeyValue.of("loop.id", context.getLoop().id()));
    }

    static String exception(@org.jspecify.annotations.Nullable Throwable error) {
        if (error == null) {
            return "none";
        }
        // A loop's failure is a ParallelForException; its cause says what actually went wrong.
        Throwable cause = error instanceof ParallelForException && error.getCause() != null ? error.getCause() : error;
        String name = cause.getClass().getSimpleName();
        return name.isEmpty() ? cause.getClass().getName() : name;
    }
}
