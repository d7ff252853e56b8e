package dev.parfor.autoconfigure;

import dev.parfor.ParallelFor;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Shuts the {@link ParallelFor} bean down gracefully when the application context closes: running loops get
 * {@code parfor.shutdown.await-termination-period} to finish, then they are cancelled with a
 * {@link dev.parfor.ParallelForException} that says so. Lifecycle beans stop before any bean is destroyed, so this
 * runs while the engines are still open; it stops after the web server, whose requests may still run loops.
 */
public final class ParforLifecycle implements SmartLifecycle {

    /** After the web server's graceful shutdown and stop (phases {@code DEFAULT_PHASE - 1024} and {@code - 2048}). */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final ParallelFor parallelFor;
    private final Duration grace;
    private final @Nullable ConfiguredLoops configuredLoops;
    private volatile boolean running;

    ParforLifecycle(ParallelFor parallelFor, Duration grace, @Nullable ConfiguredLoops configuredLoops) {
        this.parallelFor = parallelFor;
        this.grace = grace;
        this.configuredLoops = configuredLoops;
    }

    @Override
    public void start() {
        running = true;
    }

    /**
     * Stops accepting loops, waits up to the grace period for running ones, then cancels the rest; then reports the
     * loops configured under {@code parfor.loops} that never ran.
     */
    @Override
    public void stop() {
        running = false;
        parallelFor.shutdown(grace);
        if (configuredLoops != null) {
            configuredLoops.report();
        }
    }

    /**
     * Whether the {@link ParallelFor} bean accepts loops: false once the context began to close.
     *
     * @return whether it is running
     */
    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
