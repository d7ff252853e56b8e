package dev.parfor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's context (MDC, observation, security), captured once when a loop starts and installed around each chunk
 * a worker runs. Every call into a propagator is fenced: a capture that fails fails the loop, an install that fails
 * fails the chunk's inputs, a scope that fails to close is logged.
 */
final class Contexts {

    private static final Logger log = LoggerFactory.getLogger(Contexts.class);
    private static final Runnable NOTHING_TO_RESTORE = () -> {};

    /** No context to carry: the loop runs on its caller, or no propagator is configured. */
    static final Contexts NONE = new Contexts("", List.of());

    /** A propagator's {@code capture()} threw, or returned null; the message says which, for the loop's failure. */
    static final class CaptureFailed extends Exception {
        private static final long serialVersionUID = 1L;

        CaptureFailed(String loop, ContextPropagator propagator, Throwable cause) {
            super(
                    "loop '" + loop + "' could not capture the caller's context with "
                            + propagator.getClass().getName() + ": " + Texts.describe(cause),
                    cause);
        }
    }

    private final String loop;
    private final List<Supplier<Runnable>> captured;

    private Contexts(String loop, List<Supplier<Runnable>> captured) {
        this.loop = loop;
        this.captured = captured;
    }

    /** Captures the current thread's context with every propagator, on the loop's caller. */
    static Contexts capture(String loop, List<ContextPropagator> propagators) throws CaptureFailed {
        if (propagators.isEmpty()) {
            return NONE;
        }
        List<Supplier<Runnable>> captured = new ArrayList<>(propagators.size());
        for (ContextPropagator propagator : propagators) {
            try {
                captured.add(Checks.notNull(propagator.capture(), "captured context"));
            } catch (Throwable e) {
                throw new CaptureFailed(loop, propagator, e);
            }
        }
        return new Contexts(loop, captured);
    }

    /**
     * Installs the captured context on the current thread.
     *
     * @return what restores the thread's previous context when the chunk ends; it never throws
     * @throws RuntimeException or {@link Error} when a propagator's install fails (or, then, the restoring of what was
     *     installed before it)
     */
    Runnable install() {
        if (captured.isEmpty()) {
            return NOTHING_TO_RESTORE;
        }
        List<Runnable> restores = new ArrayList<>(captured.size());
        try {
            for (Supplier<Runnable> c : captured) {
                restores.add(Checks.notNull(c.get(), "installed context"));
            }
        } catch (Throwable e) {
            Throwable closing = restoreAll(restores);
            if (closing instanceof RuntimeException failed) {
                throw failed;
            } else if (closing instanceof Error failed) {
                throw failed;
            }
            throw e;
        }
        return () -> {
            Throwable closing = restoreAll(restores);
            if (closing != null) {
                log.warn(
                        "loop '{}': restoring a worker's context after a chunk failed: {}",
                        loop,
                        Texts.describe(closing),
                        closing);
            }
        };
    }

    /** Restores every installed context, last first; returns the first failure. */
    private static @Nullable Throwable restoreAll(List<Runnable> restores) {
        Throwable first = null;
        for (int i = restores.size() - 1; i >= 0; i--) {
            try {
                restores.get(i).run();
            } catch (Throwable e) {
                first = first == null ? e : first;
            }
        }
        return first;
    }
}
