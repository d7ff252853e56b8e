package dev.parfor.autoconfigure.metrics;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The names and key values of the observation {@code parfor.loop}. Define a bean of this type to replace
 * {@link DefaultParforLoopObservationConvention}, for example to add a key; keep the key values low-cardinality.
 */
public interface ParforLoopObservationConvention extends ObservationConvention<ParforLoopObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof ParforLoopObservationContext;
    }
}
