package dev.parfor;

/**
 * Carries the caller's thread-local context (logging MDC, the current trace, the security context) to the threads
 * that run a loop's tasks on local engines. parfor always carries SLF4J's MDC; add others with
 * {@link ParallelFor.Builder#contextPropagator}.
 */
@FunctionalInterface
public interface ContextPropagator {

    /**
     * Captures the current thread's context. Called on the caller's thread once per loop.
     *
     * @return what installs that context on another thread
     */
    Captured capture();

    /** A captured context. */
    @FunctionalInterface
    interface Captured {
        /**
         * Installs the captured context on the current thread.
         *
         * @return what restores the thread's previous context when closed
         */
        Scope install();
    }

    /** An installed context; closing it restores what the thread had before. */
    @FunctionalInterface
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
