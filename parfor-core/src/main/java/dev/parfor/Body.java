package dev.parfor;

import java.io.Serializable;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The body of a loop: what runs for one input. Bodies may throw checked exceptions; a throw is a failure of that
 * input, handled by the loop's {@link ErrorPolicy}.
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
     * A body that also receives the loop's shared context: the same instance for every task on local engines.
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
     * A body that receives the input's index.
     *
     * @param <T> the input type
     * @param <R> the result type
     */
    @FunctionalInterface
    interface Indexed<T extends @Nullable Object, R extends @Nullable Object> extends Serializable {
        /**
         * Runs the body for one input.
         *
         * @param index the input's position, from 0
         * @param input the input
         * @return the result for this input
         * @throws Exception when this input fails
         */
        R apply(long index, T input) throws Exception;
    }

    /**
     * A body for two inputs, used by {@link Loop#product}.
     *
     * @param <A> the first input type
     * @param <B> the second input type
     * @param <R> the result type
     */
    @FunctionalInterface
    interface Pair<A extends @Nullable Object, B extends @Nullable Object, R extends @Nullable Object>
            extends Serializable {
        /**
         * Runs the body for one pair.
         *
         * @param a the first input
         * @param b the second input
         * @return the result for this pair
         * @throws Exception when this pair fails
         */
        R apply(A a, B b) throws Exception;
    }

    /**
     * A body for a contiguous chunk of inputs, used by {@link Loop#mapChunks}.
     *
     * @param <T> the input type
     * @param <R> the result type
     */
    @FunctionalInterface
    interface Chunked<T extends @Nullable Object, R extends @Nullable Object> extends Serializable {
        /**
         * Runs the body for one chunk.
         *
         * @param chunk the chunk's inputs, in input order
         * @return the chunk's results; they are concatenated in chunk order
         * @throws Exception when this chunk fails
         */
        List<R> apply(List<T> chunk) throws Exception;
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
