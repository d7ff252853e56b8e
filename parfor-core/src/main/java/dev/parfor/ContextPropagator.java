package dev.parfor;

import java.util.function.Supplier;

/**
 * Carries the caller's thread-local context (logging MDC, the current trace, the security context) to the threads
 * that run a loop's tasks on local engines. parfor always carries SLF4J's MDC; add others with
 * {@link ParallelFor.Builder#contextPropagator}.
 *
 * <pre>{@code
 * ContextPropagator tenant = () -> {
 *     String captured = Tenant.current();            // on the loop's caller, once per loop
 *     return () -> {
 *         String previous = Tenant.set(captured);    // on a worker, before it runs the loop's tasks
 *         return () -> Tenant.set(previous);         // on that worker, after them
 *     };
 * };
 * }</pre>
 *
 * <p>Each of the three steps is fenced: a capture that throws (or returns {@code null}) fails the loop, an install
 * that throws fails the inputs it would have carried the context to, and a restore that throws is logged.
 */
@FunctionalInterface
public interface ContextPropagator {

    /**
     * Captures the current thread's context. Called on the caller's thread once per loop.
     *
     * @return what installs that context on the current thread, returning what restores the thread's previous context
     */
    Supplier<Runnable> capture();
}
