package dev.parfor.autoconfigure;

import dev.parfor.ParallelFor;

/**
 * Customizes the {@link ParallelFor.Builder} of the auto-configured {@code ParallelFor} bean, for what properties
 * cannot express: an engine built in code, options for a loop computed at start-up, a listener or context propagator
 * that is not a bean. Every bean of this type is applied, in {@code @Order}, after the properties and before the
 * instance is built.
 */
@FunctionalInterface
public interface ParallelForBuilderCustomizer {

    /**
     * Customizes the builder.
     *
     * @param builder the builder, with the engines, options and listeners from properties and beans
     */
    void customize(ParallelFor.Builder builder);
}
