package dev.parfor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The values and failures of a loop run with {@link Loop#run}, each at its input's index. Immutable.
 *
 * @param <R> the result type
 */
public final class LoopResult<R extends @Nullable Object> {

    private final String loop;
    private final List<@Nullable R> values;
    private final List<TaskFailure> failures;

    LoopResult(String loop, List<@Nullable R> values, List<TaskFailure> failures) {
        this.loop = loop;
        this.values = Collections.unmodifiableList(values);
        this.failures = List.copyOf(failures);
    }

    /**
     * The values in input order; a failed input's slot holds {@code null}.
     *
     * @return the values, one per input
     */
    public List<@Nullable R> values() {
        return values;
    }

    /**
     * The values in input order, with {@code fallback} in every failed input's slot.
     *
     * @param fallback the value for failed inputs
     * @return a new list, one value per input
     */
    public List<R> valuesOr(R fallback) {
        List<R> filled = new ArrayList<>(values);
        for (TaskFailure failure : failures) {
            filled.set((int) failure.index(), fallback);
        }
        return Collections.unmodifiableList(filled);
    }

    /**
     * The failed inputs, in input order.
     *
     * @return the failures; empty when every input succeeded
     */
    public List<TaskFailure> failures() {
        return failures;
    }

    /**
     * The values, or the exception every other terminal would have thrown.
     *
     * @return the values in input order
     * @throws ParallelForException with outcome {@link Outcome#PARTIAL}, naming the first failed input, with its
     *     error as the cause, the other errors suppressed, and every failure in {@link ParallelForException#failures()}
     */
    public List<R> orThrow() {
        if (failures.isEmpty()) {
            return values;
        }
        TaskFailure first = failures.get(0);
        ParallelForException error = new ParallelForException(
                Texts.failureMessage(loop, first, failures.size(), values.size()),
                loop,
                Outcome.PARTIAL,
                first.error(),
                failures);
        for (TaskFailure later : failures.subList(1, Math.min(failures.size(), Texts.MAX_SUPPRESSED + 1))) {
            error.addSuppressed(later.error());
        }
        throw error;
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>();
        for (TaskFailure f : failures.subList(0, Math.min(3, failures.size()))) {
            shown.add(f.toString());
        }
        return "LoopResult[" + loop + ": " + values.size() + " inputs, " + failures.size() + " failed"
                + (shown.isEmpty() ? "" : " " + shown) + "]";
    }
}
