package dev.parfor.hazelcast;

import java.io.Serial;

/**
 * An error thrown by a loop body on a Hazelcast member whose own class could not be sent back (it does not
 * serialize, or the allow-list refuses it). It keeps the original's class name, message and stack trace; its
 * cause, when there is one, is converted the same way.
 */
public final class RemoteTaskException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The fully qualified class name of the exception the body threw. */
    private final String originalClassName;

    private RemoteTaskException(String originalClassName, String message) {
        super(message);
        this.originalClassName = originalClassName;
    }

    static RemoteTaskException of(Throwable error) {
        RemoteTaskException copy = new RemoteTaskException(error.getClass().getName(), String.valueOf(error));
        copy.setStackTrace(error.getStackTrace());
        Throwable cause = error.getCause();
        if (cause != null && cause != error) {
            copy.initCause(of(cause));
        }
        return copy;
    }

    /**
     * The class of the error the body threw.
     *
     * @return its fully qualified name
     */
    public String originalClassName() {
        return originalClassName;
    }
}
