package dev.parfor;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Loop settings that come from configuration rather than from the call site: per engine (defaults for the loops on
 * that engine) and per loop name (an operator's override, which beats the call site). Immutable; each setter returns
 * a copy. An unset option falls through to the next layer:
 * {@code per loop name > call site > per engine > built-in default}.
 */
public final class LoopOptions {

    private static final LoopOptions NONE = new LoopOptions(null, null, null, null, null, null, null, null);

    private final @Nullable String engine;
    private final @Nullable Integer parallelism;
    private final @Nullable Integer chunkSize;
    private final @Nullable ErrorPolicy onError;
    private final @Nullable Integer retries;
    private final @Nullable Duration backoff;
    private final @Nullable Duration timeout;
    private final @Nullable Duration taskTimeout;

    private LoopOptions(
            @Nullable String engine,
            @Nullable Integer parallelism,
            @Nullable Integer chunkSize,
            @Nullable ErrorPolicy onError,
            @Nullable Integer retries,
            @Nullable Duration backoff,
            @Nullable Duration timeout,
            @Nullable Duration taskTimeout) {
        this.engine = engine;
        this.parallelism = parallelism;
        this.chunkSize = chunkSize;
        this.onError = onError;
        this.retries = retries;
        this.backoff = backoff;
        this.timeout = timeout;
        this.taskTimeout = taskTimeout;
    }

    /**
     * Options with nothing set.
     *
     * @return the empty options
     */
    public static LoopOptions none() {
        return NONE;
    }

    /**
     * Routes the loop to another engine.
     *
     * @param engine the engine's name
     * @return a copy with the engine set
     */
    public LoopOptions engine(String engine) {
        return new LoopOptions(
                Checks.name(engine, "engine"), parallelism, chunkSize, onError, retries, backoff, timeout, taskTimeout);
    }

    /**
     * Limits how many tasks of the loop run at once.
     *
     * @param parallelism at least 1
     * @return a copy with the parallelism set
     */
    public LoopOptions parallelism(int parallelism) {
        return new LoopOptions(
                engine,
                Checks.positive(parallelism, "parallelism"),
                chunkSize,
                onError,
                retries,
                backoff,
                timeout,
                taskTimeout);
    }

    /**
     * Fixes how many inputs each task runs, instead of automatic chunking.
     *
     * @param chunkSize at least 1
     * @return a copy with the chunk size set
     */
    public LoopOptions chunkSize(int chunkSize) {
        return new LoopOptions(
                engine,
                parallelism,
                Checks.positive(chunkSize, "chunkSize"),
                onError,
                retries,
                backoff,
                timeout,
                taskTimeout);
    }

    /**
     * Sets the error policy.
     *
     * @param onError the policy
     * @return a copy with the policy set
     */
    public LoopOptions onError(ErrorPolicy onError) {
        return new LoopOptions(
                engine,
                parallelism,
                chunkSize,
                Checks.notNull(onError, "onError"),
                retries,
                backoff,
                timeout,
                taskTimeout);
    }

    /**
     * Sets how often a failed input is tried again and the pause before the first retry (doubled for each
     * further retry).
     *
     * @param retries 0 or more
     * @param backoff not negative
     * @return a copy with retries set
     */
    public LoopOptions retries(int retries, Duration backoff) {
        return new LoopOptions(
                engine,
                parallelism,
                chunkSize,
                onError,
                Checks.notNegative(retries, "retries"),
                Checks.notNegative(backoff, "backoff"),
                timeout,
                taskTimeout);
    }

    /**
     * Sets the longest time the whole loop may run.
     *
     * @param timeout positive
     * @return a copy with the timeout set
     */
    public LoopOptions timeout(Duration timeout) {
        return new LoopOptions(
                engine,
                parallelism,
                chunkSize,
                onError,
                retries,
                backoff,
                Checks.positive(timeout, "timeout"),
                taskTimeout);
    }

    /**
     * Sets the longest time one input's task may run.
     *
     * @param taskTimeout positive
     * @return a copy with the task timeout set
     */
    public LoopOptions taskTimeout(Duration taskTimeout) {
        return new LoopOptions(
                engine,
                parallelism,
                chunkSize,
                onError,
                retries,
                backoff,
                timeout,
                Checks.positive(taskTimeout, "taskTimeout"));
    }

    /**
     * Fills every option unset here from {@code other}.
     *
     * @param other the lower-priority options
     * @return the merged options
     */
    public LoopOptions orElse(LoopOptions other) {
        Checks.notNull(other, "other");
        return new LoopOptions(
                engine != null ? engine : other.engine,
                parallelism != null ? parallelism : other.parallelism,
                chunkSize != null ? chunkSize : other.chunkSize,
                onError != null ? onError : other.onError,
                retries != null ? retries : other.retries,
                retries != null ? backoff : other.backoff,
                timeout != null ? timeout : other.timeout,
                taskTimeout != null ? taskTimeout : other.taskTimeout);
    }

    /** @return the engine's name, or {@code null} when unset */
    public @Nullable String engine() {
        return engine;
    }

    /** @return the parallelism, or {@code null} when unset */
    public @Nullable Integer parallelism() {
        return parallelism;
    }

    /** @return the chunk size, or {@code null} when unset (automatic) */
    public @Nullable Integer chunkSize() {
        return chunkSize;
    }

    /** @return the error policy, or {@code null} when unset */
    public @Nullable ErrorPolicy onError() {
        return onError;
    }

    /** @return the number of retries, or {@code null} when unset */
    public @Nullable Integer retries() {
        return retries;
    }

    /** @return the first retry's backoff, or {@code null} when unset */
    public @Nullable Duration backoff() {
        return backoff;
    }

    /** @return the loop timeout, or {@code null} when unset */
    public @Nullable Duration timeout() {
        return timeout;
    }

    /** @return the task timeout, or {@code null} when unset */
    public @Nullable Duration taskTimeout() {
        return taskTimeout;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("LoopOptions[");
        append(text, "engine", engine);
        append(text, "parallelism", parallelism);
        append(text, "chunkSize", chunkSize);
        append(text, "onError", onError);
        append(text, "retries", retries);
        append(text, "backoff", backoff);
        append(text, "timeout", timeout);
        append(text, "taskTimeout", taskTimeout);
        return text.append(']').toString();
    }

    private static void append(StringBuilder text, String name, @Nullable Object value) {
        if (value != null) {
            if (text.charAt(text.length() - 1) != '[') {
                text.append(", ");
            }
            text.append(name).append('=').append(value);
        }
    }
}
