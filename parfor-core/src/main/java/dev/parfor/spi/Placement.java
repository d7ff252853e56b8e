package dev.parfor.spi;

/** Where an engine runs a loop's chunks, which decides what the scheduler may share with them. */
public enum Placement {
    /**
     * On the thread that runs the loop, one chunk after another, in input order: exact for-loop semantics. The
     * scheduler runs the chunks itself and never calls {@link Engine#execute}.
     */
    CALLER,
    /**
     * On threads of this JVM: the context is shared as the same instance, the caller's thread-local context (MDC,
     * trace, security) is carried into the bodies, and values may be written straight into the loop's results.
     */
    LOCAL,
    /**
     * In other JVMs: the body, inputs, context and results travel serialized; chunks are larger, since each costs a
     * network round trip.
     */
    REMOTE
}
