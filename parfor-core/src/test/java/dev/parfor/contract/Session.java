package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.Outcome;
import dev.parfor.ParallelFor;
import dev.parfor.Progress;
import dev.parfor.spi.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.opentest4j.AssertionFailedError;

/**
 * One {@code ParallelFor} under test, with the checks every loop must pass whatever its user code did: it ends
 * (each call runs under a hang guard, so a hang fails the test instead of stalling the build), it leaves
 * {@link ParallelFor#running()}, and the listeners see {@code loopFinished} after {@code loopStarted}. Closing the
 * session makes the last two checks, then closes the {@code ParallelFor}, itself under the guard.
 *
 * <p>The guard is a hang detector, not a timing assertion: it is far above what any of these loops needs.
 */
final class Session implements AutoCloseable {

    /** How long a loop under test may take before it counts as hung. */
    static final Duration LIMIT = Duration.ofSeconds(30);

    private final ParallelFor parfor;
    private final Events events;
    private boolean hung;

    private Session(ParallelFor parfor, Events events) {
        this.parfor = parfor;
        this.events = events;
    }

    static Session on(EngineCase engine) {
        return on(engine.name(), engine.factory().get(), builder -> {});
    }

    static Session on(EngineCase engine, Consumer<ParallelFor.Builder> configure) {
        return on(engine.name(), engine.factory().get(), configure);
    }

    /**
     * A session over one engine; {@code configure} adds to the builder (listeners, propagators) before the session's
     * own listener, so the session sees what a listener registered after the user's would see.
     */
    static Session on(String name, Engine engine, Consumer<ParallelFor.Builder> configure) {
        Events events = new Events();
        ParallelFor.Builder builder = ParallelFor.builder().engine(name, engine);
        configure.accept(builder);
        return new Session(builder.listener(events).build(), events);
    }

    ParallelFor parfor() {
        return parfor;
    }

    Events events() {
        return events;
    }

    /** Runs {@code call} under the hang guard and returns its result; what it throws propagates. */
    <T> T run(ThrowingSupplier<T> call) {
        AtomicReference<T> result = new AtomicReference<>();
        guard(() -> result.set(call.get()));
        return result.get();
    }

    /** Runs {@code call} under the hang guard and returns what it threw, or {@code null} when it returned. */
    @Nullable
    Throwable thrown(Executable call) {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        guard(() -> {
            try {
                call.execute();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        return thrown.get();
    }

    private void guard(Executable call) {
        try {
            assertTimeoutPreemptively(LIMIT, call, () -> "the loop did not end within " + LIMIT + ": it hangs");
        } catch (AssertionFailedError e) {
            hung = hung || String.valueOf(e.getMessage()).contains("it hangs");
            throw e;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /** Checks that no loop is left running and that every started loop finished, then closes the instance. */
    @Override
    public void close() {
        try {
            if (!hung) {
                assertLoopsEnded();
            }
        } finally {
            closeBounded(parfor);
        }
    }

    /** Every loop left {@code running()} and the listeners saw each loop finish after it started. */
    void assertLoopsEnded() {
        await("running() to be empty")
                .atMost(LIMIT)
                .until(() -> parfor.running().isEmpty());
        await("loopFinished after every loopStarted").atMost(LIMIT).until(events::everyStartedLoopFinished);
        events.assertWellFormed();
    }

    /** Closes on another thread, so that a close that hangs fails the test instead of stalling the build. */
    static void closeBounded(AutoCloseable closeable) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread closer = Thread.ofPlatform().daemon().name("session-close").start(() -> {
            try {
                closeable.close();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            closer.join(LIMIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            throw new AssertionError(closeable + ".close() did not return within " + LIMIT);
        }
        if (failure.get() != null) {
            throw new AssertionError("closing " + closeable + " failed", failure.get());
        }
    }

    /** Waits (bounded) for a thread a test started, failing when it is still alive at the limit. */
    static void join(Thread thread) throws InterruptedException {
        thread.join(TimeUnit.MILLISECONDS.convert(LIMIT));
        assertThat(thread.isAlive())
                .as("%s still running after %s", thread.getName(), LIMIT)
                .isFalse();
    }

    /** The loop events a listener registered after the user's listeners receives. */
    static final class Events implements LoopListener {

        /** One loopStarted or loopFinished call. */
        record Event(
                boolean started,
                String loopId,
                String loopName,
                @Nullable Outcome outcome,
                @Nullable Throwable error) {}

        private final List<Event> events = new CopyOnWriteArrayList<>();

        @Override
        public void loopStarted(LoopInfo loop) {
            events.add(new Event(true, loop.id(), loop.name(), null, null));
        }

        @Override
        public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
            events.add(new Event(false, loop.id(), loop.name(), outcome, error));
        }

        List<Event> all() {
            return List.copyOf(events);
        }

        /** The loopFinished events, in the order they came. */
        List<Event> finished() {
            return events.stream().filter(e -> !e.started()).toList();
        }

        /** The names of the loops that started, in the order they started. */
        List<String> startedNames() {
            return events.stream().filter(Event::started).map(Event::loopName).toList();
        }

        boolean everyStartedLoopFinished() {
            List<Event> snapshot = all();
            for (int i = 0; i < snapshot.size(); i++) {
                Event start = snapshot.get(i);
                if (start.started()) {
                    boolean finished = snapshot.subList(i + 1, snapshot.size()).stream()
                            .anyMatch(e -> !e.started() && e.loopId().equals(start.loopId()));
                    if (!finished) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** Each loop started at most once and finished exactly once, after it started. */
        void assertWellFormed() {
            List<Event> snapshot = all();
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < snapshot.size(); i++) {
                Event event = snapshot.get(i);
                List<Event> before = snapshot.subList(0, i);
                boolean seenStart =
                        before.stream().anyMatch(e -> e.started() && e.loopId().equals(event.loopId()));
                boolean seenEnd =
                        before.stream().anyMatch(e -> !e.started() && e.loopId().equals(event.loopId()));
                if (event.started() && (seenStart || seenEnd)) {
                    problems.add("loop " + event.loopName() + " started again or after it finished");
                }
                if (!event.started() && (!seenStart || seenEnd)) {
                    problems.add("loop " + event.loopName() + " finished " + (seenEnd ? "twice" : "without a start"));
                }
            }
            assertThat(problems).as("loop events %s", snapshot).isEmpty();
        }
    }
}
