package dev.parfor;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A loop's options as one immutable value, inside parfor only: what a call site sets through {@link Loop}, and what
 * configuration sets per engine ({@link ParallelFor.Builder#engine(String, dev.parfor.spi.Engine,
 * java.util.function.Consumer)}) and per loop name ({@link ParallelFor.Builder#loop(String,
 * java.util.function.Consumer)}), both recorded through a {@code Loop} too. Each setter checks its argument and
 * returns a copy; {@link #orElse} is the one place the layers are merged: an unset option falls through to the next
 * layer, {@code per loop name > call site > per engine > built-in default}.
 */
final class LoopOptions {

    private static final LoopOptions NONE = new LoopOptions();

    @Nullable
    String engine;

    @Nullable
    Integer parallelism;

    @Nullable
    Integer chunkSize;

    @Nullable
    ErrorPolicy onError;

    @Nullable
    Integer retries;

    @Nullable
    Duration backoff;

    @Nullable
    Double backoffMultiplier;

    @Nullable
    Duration maxBackoff;

    @Nullable
    Double jitter;

    @Nullable
    String limit;

    @Nullable
    Duration timeout;

    @Nullable
    Duration taskTimeout;
    // Call-site only: no configuration layer can express them.
    @Nullable
    Predicate<? super Throwable> retryOn;

    @Nullable
    Consumer<? super Progress> progress;

    @Nullable
    Duration progressInterval;

    private LoopOptions() {}

    private LoopOptions copy() {
        LoopOptions copy = new LoopOptions();
        copy.engine = engine;
        copy.parallelism = parallelism;
        copy.chunkSize = chunkSize;
        copy.onError = onError;
        copy.retries = retries;
        copy.backoff = backoff;
        copy.backoffMultiplier = backoffMultiplier;
        copy.maxBackoff = maxBackoff;
        copy.jitter = jitter;
        copy.limit = limit;
        copy.timeout = timeout;
        copy.taskTimeout = taskTimeout;
        copy.retryOn = retryOn;
        copy.progress = progress;
        copy.progressInterval = progressInterval;
        return copy;
    }

    /**
     * Options with nothing set.
     *
     * @return the empty options
     */
    static LoopOptions none() {
        return NONE;
    }

    /**
     * Routes the loop to another engine.
     *
     * @param engine the engine's name
     * @return a copy with the engine set
     * @throws IllegalArgumentException when blank
     */
    LoopOptions engine(String engine) {
        LoopOptions copy = copy();
        copy.engine = Checks.name(engine, "engine");
        return copy;
    }

    /**
     * Limits how many tasks of the loop run at once.
     *
     * @param parallelism at least 1
     * @return a copy with the parallelism set
     * @throws IllegalArgumentException when below 1
     */
    LoopOptions parallelism(int parallelism) {
        LoopOptions copy = copy();
        copy.parallelism = Checks.positive(parallelism, "parallelism");
        return copy;
    }

    /**
     * Fixes how many inputs each task runs, instead of automatic chunking.
     *
     * @param chunkSize at least 1
     * @return a copy with the chunk size set
     * @throws IllegalArgumentException when below 1
     */
    LoopOptions chunkSize(int chunkSize) {
        LoopOptions copy = copy();
        copy.chunkSize = Checks.positive(chunkSize, "chunkSize");
        return copy;
    }

    /**
     * Sets the error policy.
     *
     * @param onError the policy
     * @return a copy with the policy set
     */
    LoopOptions onError(ErrorPolicy onError) {
        LoopOptions copy = copy();
        copy.onError = Checks.notNull(onError, "onError");
        return copy;
    }

    /**
     * Sets how often a failed input is tried again and the pause before the first retry (doubled for each further
     * retry).
     *
     * @param retries 0 or more
     * @param backoff not negative, at most 100 years
     * @return a copy with retries set
     * @throws IllegalArgumentException when negative or too long
     */
    LoopOptions retries(int retries, Duration backoff) {
        int count = Checks.notNegative(retries, "retries");
        Duration pause = Checks.notNegative(backoff, "backoff");
        LoopOptions copy = copy();
        copy.retries = count;
        copy.backoff = pause;
        return copy;
    }

    /**
     * Shapes the pause between retries, as Spring Framework's {@code RetryPolicy} and Reactor's {@code
     * RetryBackoffSpec} do: the pause before retry {@code n} is {@code backoff * multiplier^(n-1)}, capped at {@code
     * maxBackoff}, then spread at random by up to {@code jitter} of itself either way (and capped again). Without this
     * option the multiplier is 2, there is no cap and no jitter.
     *
     * @param multiplier how much each pause grows, at least 1
     * @param maxBackoff the longest pause, positive, at most 100 years
     * @param jitter the random spread as a fraction of the pause, from 0 (none) to 1
     * @return a copy with the backoff shape set
     * @throws IllegalArgumentException when a value is out of range
     */
    LoopOptions backoff(double multiplier, Duration maxBackoff, double jitter) {
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("'multiplier' must be a finite number of at least 1 but was "
                    + multiplier + "; use 1 for a fixed pause, 2 to double it");
        }
        Duration max = Checks.positive(maxBackoff, "maxBackoff");
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException(
                    "'jitter' must be between 0 and 1 but was " + jitter + "; use for example 0.5 for +/-50%");
        }
        LoopOptions copy = copy();
        copy.backoffMultiplier = multiplier;
        copy.maxBackoff = max;
        copy.jitter = jitter;
        return copy;
    }

    /**
     * Makes every task of the loop take a permit of a named limit that several loops share (see {@link
     * ParallelFor.Builder#limit}), so that all of them together stay within what a downstream service allows.
     *
     * @param limit the limit's name
     * @return a copy with the limit set
     * @throws IllegalArgumentException when blank
     */
    LoopOptions limit(String limit) {
        LoopOptions copy = copy();
        copy.limit = Checks.name(limit, "limit");
        return copy;
    }

    /**
     * Sets the longest time the whole loop may run.
     *
     * @param timeout positive, at most 100 years
     * @return a copy with the timeout set
     * @throws IllegalArgumentException when not positive or too long
     */
    LoopOptions timeout(Duration timeout) {
        LoopOptions copy = copy();
        copy.timeout = Checks.positive(timeout, "timeout");
        return copy;
    }

    /**
     * Sets the longest time one input's task may run.
     *
     * @param taskTimeout positive, at most 100 years
     * @return a copy with the task timeout set
     * @throws IllegalArgumentException when not positive or too long
     */
    LoopOptions taskTimeout(Duration taskTimeout) {
        LoopOptions copy = copy();
        copy.taskTimeout = Checks.positive(taskTimeout, "taskTimeout");
        return copy;
    }

    LoopOptions retryOn(Predicate<? super Throwable> retryable) {
        LoopOptions copy = copy();
        copy.retryOn = Checks.notNull(retryable, "retryable");
        return copy;
    }

    LoopOptions progress(Consumer<? super Progress> listener, Duration interval) {
        Consumer<? super Progress> checked = Checks.notNull(listener, "listener");
        Duration every = Checks.positive(interval, "interval");
        LoopOptions copy = copy();
        copy.progress = checked;
        copy.progressInterval = every;
        return copy;
    }

    /**
     * Every option unset here taken from {@code other}. Retries and their backoff travel together. Copies nothing when
     * either side sets nothing (most loops set few options).
     */
    LoopOptions orElse(LoopOptions other) {
        if (other == NONE) {
            return this;
        }
        if (this == NONE) {
            return other;
        }
        LoopOptions merged = copy();
        merged.engine = engine != null ? engine : other.engine;
        merged.parallelism = parallelism != null ? parallelism : other.parallelism;
        merged.chunkSize = chunkSize != null ? chunkSize : other.chunkSize;
        merged.onError = onError != null ? onError : other.onError;
        merged.retries = retries != null ? retries : other.retries;
        merged.backoff = retries != null ? backoff : other.backoff;
        merged.backoffMultiplier = backoffMultiplier != null ? backoffMultiplier : other.backoffMultiplier;
        merged.maxBackoff = backoffMultiplier != null ? maxBackoff : other.maxBackoff;
        merged.jitter = backoffMultiplier != null ? jitter : other.jitter;
        merged.limit = limit != null ? limit : other.limit;
        merged.timeout = timeout != null ? timeout : other.timeout;
        merged.taskTimeout = taskTimeout != null ? taskTimeout : other.taskTimeout;
        merged.retryOn = retryOn != null ? retryOn : other.retryOn;
        merged.progress = progress != null ? progress : other.progress;
        merged.progressInterval = progress != null ? progressInterval : other.progressInterval;
        return merged;
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
        append(text, "backoffMultiplier", backoffMultiplier);
        append(text, "maxBackoff", maxBackoff);
        append(text, "jitter", jitter);
        append(text, "limit", limit);
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
