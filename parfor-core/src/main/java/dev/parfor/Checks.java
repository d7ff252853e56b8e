package dev.parfor;

import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Argument checks, with messages that name the parameter, show the bad value and say what is accepted. */
final class Checks {

    /** The longest duration parfor schedules: longer ones would overflow a deadline in nanoseconds. */
    static final Duration MAX_DURATION = Duration.ofDays(36_500);

    private Checks() {}

    static <T> T notNull(@Nullable T value, String parameter) {
        return Objects.requireNonNull(value, () -> "'" + parameter + "' must not be null");
    }

    static int positive(int value, String parameter) {
        if (value < 1) {
            throw new IllegalArgumentException("'" + parameter + "' must be greater than 0 but was " + value);
        }
        return value;
    }

    static int notNegative(int value, String parameter) {
        if (value < 0) {
            throw new IllegalArgumentException("'" + parameter + "' must be 0 or greater but was " + value);
        }
        return value;
    }

    static Duration positive(@Nullable Duration value, String parameter) {
        notNull(value, parameter);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("'" + parameter + "' must be a positive duration but was " + value
                    + "; use for example Duration.ofSeconds(30)");
        }
        return schedulable(value, parameter);
    }

    static Duration notNegative(@Nullable Duration value, String parameter) {
        notNull(value, parameter);
        if (value.isNegative()) {
            throw new IllegalArgumentException("'" + parameter + "' must not be negative but was " + value);
        }
        return schedulable(value, parameter);
    }

    private static Duration schedulable(Duration value, String parameter) {
        if (value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("'" + parameter + "' must be at most " + MAX_DURATION
                    + " (100 years) but was " + value + "; for no limit, do not set it");
        }
        return value;
    }

    static String name(@Nullable String value, String parameter) {
        notNull(value, parameter);
        if (value.isBlank()) {
            throw new IllegalArgumentException("'" + parameter + "' must not be blank but was '" + value + "'");
        }
        return value;
    }

    static void unset(@Nullable Object current, String option) {
        if (current != null) {
            throw new IllegalStateException(
                    "option '" + option + "' is already set to " + current + "; set each option once per loop");
        }
    }

    static IllegalArgumentException unknownEngine(String name, Collection<String> known) {
        return new IllegalArgumentException("unknown engine '" + name + "'; known engines: " + String.join(", ", known)
                + ". Register it with ParallelFor.builder().engine(\"" + name + "\", ...), or with the Spring Boot"
                + " starter set parfor.engines." + name + ".type");
    }
}
