package dev.parfor;

import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Messages shown to users, kept in one place so they read alike. Every call into user code made here ({@code
 * toString}, {@code getMessage}, {@code size}) is fenced: a message is always built, whatever the user's objects do.
 */
final class Texts {

    static final int MAX_SUPPRESSED = 100;
    private static final int MAX_INPUT_CHARS = 80;

    private Texts() {}

    /** A short, single-line form of an input for messages: never the whole of a large value. */
    static String shortForm(@Nullable Object input) {
        if (input == null) {
            return "null";
        }
        String text;
        try {
            if (input instanceof Collection<?> c && c.size() > 10) {
                text = input.getClass().getSimpleName() + " of " + c.size() + " elements";
            } else if (input instanceof Map<?, ?> m && m.size() > 10) {
                text = input.getClass().getSimpleName() + " of " + m.size() + " entries";
            } else if (input.getClass().isArray()) {
                text = input.getClass().getComponentType().getSimpleName() + "["
                        + java.lang.reflect.Array.getLength(input) + "]";
            } else {
                text = String.valueOf(input.toString());
            }
        } catch (Throwable e) {
            text = input.getClass().getName() + " (its toString failed: "
                    + e.getClass().getName() + ")";
        }
        text = text.replace('\n', ' ').replace('\r', ' ');
        return text.length() <= MAX_INPUT_CHARS ? text : text.substring(0, MAX_INPUT_CHARS - 3) + "...";
    }

    /** {@code error.toString()}, or its class name when that throws or returns null. */
    static String describe(@Nullable Throwable error) {
        if (error == null) {
            return "null";
        }
        try {
            String text = error.toString();
            if (text != null) {
                return text;
            }
        } catch (Throwable ignored) {
            // fall through: a user exception whose getMessage() or toString() throws
        }
        return error.getClass().getName() + " (its message could not be read)";
    }

    static String failureMessage(String loop, TaskFailure first, long failedCount, long total) {
        StringBuilder message = new StringBuilder("loop '")
                .append(loop)
                .append("' failed at input #")
                .append(first.index())
                .append(" (")
                .append(shortForm(first.input()))
                .append(")");
        if (first.attempts() > 1) {
            message.append(" after ").append(first.attempts()).append(" attempts");
        }
        message.append(": ").append(describe(first.error()));
        if (failedCount > 1) {
            message.append(" (and ").append(failedCount - 1).append(" more failed");
            if (total > 0) {
                message.append(" of ").append(total);
            }
            message.append(')');
        }
        return message.toString();
    }
}
