package dev.parfor.autoconfigure;

import dev.parfor.ContextPropagator;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.function.Supplier;
import org.springframework.core.Ordered;

/**
 * Carries every thread-local value that Micrometer's context-propagation library knows (through its registered
 * {@code ThreadLocalAccessor}s: the current observation, Spring Security's context when it is on the class path, the
 * MDC when an accessor for it is registered) from the loop's caller into its tasks.
 */
final class ContextSnapshotPropagator implements ContextPropagator, Ordered {

    private final ContextSnapshotFactory snapshots;

    ContextSnapshotPropagator(ContextSnapshotFactory snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public Supplier<Runnable> capture() {
        ContextSnapshot snapshot = snapshots.captureAll();
        return () -> {
            ContextSnapshot.Scope scope = snapshot.setThreadLocals();
            return scope::close;
        };
    }

    /** First, so that more specific propagators install on top. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }

    @Override
    public String toString() {
        return "context-propagation snapshot";
    }
}
