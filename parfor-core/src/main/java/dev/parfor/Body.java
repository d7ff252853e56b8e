package dev.parfor;

import java.io.Serializable;
import org.jspecify.annotations.Nullable;

/**
 * The body of a loop: what runs for one input. Bodies may throw checked exceptions; a throw is a failure of that
 * input, handled by the loop's {@link ErrorPolicy}.
 *
 * <p>A body over chunks ({@link Loop#mapChunks}) is a {@code Body<List<T>, List<R>>}.
 *
 * <p>Every body type is {@link Serializable}, so a lambda written at the call site can be sent to a cluster engine
 * as long as what it captures is serializable. Local engines never serialize anything.
 *
 * @param <T> the input type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Body<T extends @Nullable Object, R extends @Nullable Object> extends Serializable {

    /**
     * Runs the body for one input.
     *
     * @param input the input
     * @return the result for this input; {@code null} is kept
     * @throws Exception when this input fails
     */
    R apply(T input) throws Exception;

    /**
     * A body of two arguments: an input and the loop's shared context (the same instance for every task on local
     * engines). {@link Loop#product} passes the second input of a pair instead.
     *
     * @param <T> the input type
     * @param <C> the context type
     * @param <R> the result type
     */
    @FunctionalInterface
    interface WithContext<T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object>
            extends Serializable {
        /**
         * Runs the body for one input.
         *
         * @param input the input
         * @param context the loop's shared context
         * @return the result for this input
         * @throws Exception when this input fails
         */
        R apply(T input, C context) throws Exception;
    }

    /**
     * A body without a result that also receives the loop's shared context, used by {@code forEach}.
     *
     * @param <T> the input type
     * @param <C> the context type
     */
    @FunctionalInterface
    interface ActionWithContext<T extends @Nullable Object, C extends @Nullable Object> extends Serializable {
        /**
         * Runs the body for one input.
         *
         * @param input the input
         * @param context the loop's shared context
         * @throws Exception when this input fails
         */
        void accept(T input, C context) throws Exception;
    }

    /**
     * A body without a result, used by {@code forEach}.
     *
     * @param <T> the input type
     */
    @FunctionalInterface
    interface Action<T extends @Nullable Object> extends Serializable {
        /**
         * Runs the body for one input.
         *
         * @param input the input
         * @throws Exception when this input fails
         */
        void accept(T input) throws Exception;
    }
}
