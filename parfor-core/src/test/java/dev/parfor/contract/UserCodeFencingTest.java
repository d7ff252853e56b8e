package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelForException;
import dev.parfor.Progress;
import dev.parfor.TaskFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every call into user code is fenced: whatever a body's exception, an input's {@code toString}, a context
 * propagator, a listener or an input iterator throws (any {@code Throwable}), the loop ends with a clear outcome,
 * leaves {@code running()}, and its listeners see {@code loopFinished} after {@code loopStarted} (checked by
 * {@link Session} for every test). One test per example of issue 10, on every engine.
 */
class UserCodeFencingTest {

    static List<EngineCase> engines() {
        return EngineCase.all();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /** The exception and its causes, outermost first. */
    static List<Throwable> chain(@Nullable Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    static boolean hasInChain(@Nullable Throwable error, Class<? extends Throwable> type) {
        return chain(error).stream().anyMatch(type::isInstance);
    }

    /** Checks a loop failure without calling the user's getMessage/toString (which may throw). */
    static ParallelForException loopFailure(@Nullable Throwable thrown, String loop) {
        assertThat(thrown).as("what the loop threw").isInstanceOf(ParallelForException.class);
        ParallelForException error = (ParallelForException) thrown;
        assertThat(error.loop()).isEqualTo(loop);
        assertThat(error.getMessage()).as("the message names the loop").contains(loop);
        return error;
    }

    // --- messages built from user code ---------------------------------------------------------------------------

    /** An exception whose message cannot be read. */
    static final class UnreadableMessage extends RuntimeException {
        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage() of the body's exception throws");
        }
    }

    /** An exception without a message. */
    static final class NullMessage extends RuntimeException {
        @Override
        public @Nullable String getMessage() {
            return null;
        }
    }

    /** An exception that cannot be printed. */
    static final class UnprintableException extends RuntimeException {
        UnprintableException() {
            super("unprintable");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString() of the body's exception throws");
        }
    }

    /** An input that cannot be printed. */
    record UnprintableInput(int value) {
        @Override
        public String toString() {
            throw new IllegalStateException("toString() of the input throws");
        }
    }

    private static void assertFailsFastWith(EngineCase engine, Supplier<RuntimeException> error) {
        try (Session session = Session.on(engine)) {
            Class<?> type = error.get().getClass();
            Throwable thrown = session.thrown(() -> session.parfor()
                    .loop("messages")
                    .chunkSize(1)
                    .map(range(6), x -> {
                        if (x == 3) {
                            throw error.get();
                        }
                        return x;
                    }));
            ParallelForException failure = loopFailure(thrown, "messages");
            assertThat(failure.outcome()).isEqualTo(Outcome.FAILURE);
            // Compared by class: AssertJ would print the cause, which is what these exceptions break.
            assertThat(failure.getCause()).isNotNull();
            assertThat(failure.getCause().getClass()).isEqualTo(type);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailFastWhenTheExceptionsGetMessageThrows(EngineCase engine) {
        assertFailsFastWith(engine, UnreadableMessage::new);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailFastWhenTheExceptionsGetMessageIsNull(EngineCase engine) {
        assertFailsFastWith(engine, NullMessage::new);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailFastWhenTheExceptionsToStringThrows(EngineCase engine) {
        assertFailsFastWith(engine, UnprintableException::new);
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailFastWhenTheFailedInputsToStringThrows(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            List<UnprintableInput> inputs =
                    range(6).stream().map(UnprintableInput::new).toList();
            Throwable thrown = session.thrown(() -> session.parfor()
                    .loop("input-message")
                    .chunkSize(1)
                    .map(inputs, in -> {
                        if (in.value() == 3) {
                            throw new IOException("input 3 fails");
                        }
                        return in.value();
                    }));
            ParallelForException failure = loopFailure(thrown, "input-message");
            assertThat(failure.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(failure.getCause()).isInstanceOf(IOException.class).hasMessage("input 3 fails");
        }
    }

    // --- context propagators ---------------------------------------------------------------------------------------

    /** What a broken propagator throws. */
    static final class PropagatorFailure extends RuntimeException {
        PropagatorFailure(String message) {
            super(message);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailTheLoopClearlyWhenAContextPropagatorsCaptureThrows(EngineCase engine) {
        AtomicInteger captures = new AtomicInteger();
        try (Session session = Session.on(
                engine,
                builder -> builder.contextPropagator(() -> {
                    captures.incrementAndGet();
                    throw new PropagatorFailure("capture() throws");
                }))) {
            AtomicReference<List<Integer>> result = new AtomicReference<>();
            Throwable thrown = session.thrown(() ->
                    result.set(session.parfor().loop("capture").chunkSize(1).map(range(6), x -> x * 2)));
            if (captures.get() == 0) {
                // An engine that runs bodies on the caller's thread has nothing to carry: the loop just runs.
                assertThat(thrown).isNull();
                assertThat(result.get()).containsExactly(0, 2, 4, 6, 8, 10);
            } else {
                ParallelForException failure = loopFailure(thrown, "capture");
                assertThat(hasInChain(failure, PropagatorFailure.class))
                        .as("the propagator's exception is in the cause chain of %s", failure)
                        .isTrue();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailTheInputsClearlyWhenAContextPropagatorsInstallThrows(EngineCase engine) {
        AtomicInteger installs = new AtomicInteger();
        try (Session session = Session.on(
                engine,
                builder -> builder.contextPropagator(() -> () -> {
                    installs.incrementAndGet();
                    throw new PropagatorFailure("install() throws");
                }))) {
            AtomicReference<List<Integer>> result = new AtomicReference<>();
            Throwable thrown = session.thrown(() ->
                    result.set(session.parfor().loop("install").chunkSize(1).map(range(6), x -> x * 2)));
            if (installs.get() == 0) {
                // An engine that runs bodies on the caller's thread has nothing to install: the loop just runs.
                assertThat(thrown).isNull();
                assertThat(result.get()).containsExactly(0, 2, 4, 6, 8, 10);
            } else {
                ParallelForException failure = loopFailure(thrown, "install");
                assertThat(hasInChain(failure, PropagatorFailure.class))
                        .as("the propagator's exception is in the cause chain of %s", failure)
                        .isTrue();
            }
        }
    }

    // --- listeners ---------------------------------------------------------------------------------------------------

    /** What a broken listener throws: an Error, which a catch of RuntimeException misses. */
    static final class ListenerError extends Error {
        ListenerError(String message) {
            super(message);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldRunTheLoopWhenALoopListenerThrowsAnError(EngineCase engine) {
        LoopListener broken = new LoopListener() {
            @Override
            public void loopStarted(LoopInfo loop) {
                throw new ListenerError("loopStarted");
            }

            @Override
            public void tasksEnded(LoopInfo loop, Outcome outcome, int count, long nanos) {
                throw new ListenerError("tasksEnded");
            }

            @Override
            public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
                throw new ListenerError("loopFinished");
            }
        };
        // The broken listener comes first: the session's listener after it must still see every event.
        try (Session session = Session.on(engine, builder -> builder.listener(broken))) {
            List<Integer> result = session.run(
                    () -> session.parfor().loop("listener-error").chunkSize(1).map(range(20), x -> x * 2));
            assertThat(result).isEqualTo(range(20).stream().map(x -> x * 2).toList());
            await().atMost(Session.LIMIT)
                    .until(() -> session.events().finished().size() == 1);
            assertThat(session.events().finished().get(0).outcome()).isEqualTo(Outcome.SUCCESS);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldEndTheLoopWhenAProgressListenerThrowsAnError(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            AtomicInteger reports = new AtomicInteger();
            AtomicReference<List<Integer>> result = new AtomicReference<>();
            Throwable thrown = session.thrown(() -> result.set(session.parfor()
                    .loop("progress-error")
                    .chunkSize(1)
                    .progress(
                            progress -> {
                                reports.incrementAndGet();
                                throw new ListenerError("onProgress");
                            },
                            Duration.ofMillis(1))
                    .map(range(20), x -> {
                        Thread.sleep(2);
                        return x * 2;
                    })));
            assertThat(reports).as("progress reports").hasPositiveValue();
            if (thrown == null) {
                assertThat(result.get())
                        .isEqualTo(range(20).stream().map(x -> x * 2).toList());
            } else {
                ParallelForException failure = loopFailure(thrown, "progress-error");
                assertThat(hasInChain(failure, ListenerError.class)).isTrue();
            }
        }
    }

    // --- input sources -----------------------------------------------------------------------------------------------

    /** What a broken source throws. */
    static final class SourceError extends Error {
        SourceError() {
            super("the source failed once");
        }
    }

    /** Yields 0..99, but the first call for element 50 throws an Error; the next call yields 50. */
    static final class FlakySource implements Iterator<Integer> {
        private int next;
        private boolean thrown;

        @Override
        public boolean hasNext() {
            return next < 100;
        }

        @Override
        public Integer next() {
            if (next >= 100) {
                throw new NoSuchElementException();
            }
            if (next == 50 && !thrown) {
                thrown = true;
                throw new SourceError();
            }
            return next++;
        }

        /** This source as a one-shot {@code Iterable}, the form a loop takes. */
        Iterable<Integer> once() {
            return () -> this;
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailTheLoopWhenTheInputIteratorThrowsAnErrorNeverShiftingValues(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            AtomicReference<List<Integer>> result = new AtomicReference<>();
            // COLLECT: a failed read has no input to blame, so it is the loop's failure under either policy.
            Throwable thrown = session.thrown(() -> result.set(session.parfor()
                    .loop("source-error")
                    .onError(ErrorPolicy.COLLECT)
                    .chunkSize(1)
                    .map(new FlakySource().once(), x -> x * 10)));
            ParallelForException failure = loopFailure(thrown, "source-error");
            assertThat(failure.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(hasInChain(failure, SourceError.class))
                    .as("the source's Error is in the cause chain of %s", failure)
                    .isTrue();
            assertThat(result.get()).as("no result with lost or shifted values").isNull();
        }
    }

    // --- failures that look like something else --------------------------------------------------------------------

    /** A body that joins a cancelled future, as a body calling a cancelled async API does. */
    private static int joinCancelledFutureAt3(int x) {
        if (x == 3) {
            CompletableFuture<Integer> cancelled = new CompletableFuture<>();
            cancelled.cancel(false);
            return cancelled.join();
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldTakeACancellationExceptionFromABodyAsThatInputsFailure(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            AtomicBoolean interruptFlag = new AtomicBoolean();
            LoopResult<Integer> result = session.run(() -> {
                try {
                    return session.parfor()
                            .loop("cancelled-join")
                            .onError(ErrorPolicy.COLLECT)
                            .chunkSize(1)
                            .run(range(10), UserCodeFencingTest::joinCancelledFutureAt3);
                } finally {
                    interruptFlag.set(Thread.interrupted());
                }
            });
            assertThat(interruptFlag).as("the caller's interrupt flag").isFalse();
            assertThat(result.failures()).singleElement().satisfies(f -> {
                assertThat(f.index()).isEqualTo(3);
                assertThat(f.error()).isInstanceOf(CancellationException.class);
            });
            List<@Nullable Integer> expected = new ArrayList<>(range(10));
            expected.set(3, null);
            assertThat(result.values()).isEqualTo(expected);

            Throwable thrown = session.thrown(() -> {
                try {
                    session.parfor()
                            .loop("cancelled-join-fail-fast")
                            .chunkSize(1)
                            .map(range(10), UserCodeFencingTest::joinCancelledFutureAt3);
                } finally {
                    interruptFlag.set(Thread.interrupted());
                }
            });
            assertThat(interruptFlag).as("the caller's interrupt flag").isFalse();
            ParallelForException failure = loopFailure(thrown, "cancelled-join-fail-fast");
            assertThat(failure.outcome()).isEqualTo(Outcome.FAILURE);
            assertThat(failure.getCause()).isInstanceOf(CancellationException.class);
            assertThat(failure.failures()).extracting(TaskFailure::index).containsExactly(3L);
        }
    }

    // --- what listeners are told -------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("engines")
    void shouldReportTheCallersErrorToLoopFinishedForACollectForEach(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            Throwable thrown = session.thrown(() -> session.parfor()
                    .loop("collect-for-each")
                    .onError(ErrorPolicy.COLLECT)
                    .chunkSize(1)
                    .forEach(range(10), x -> {
                        if (x == 3) {
                            throw new IOException("input 3 fails");
                        }
                    }));
            assertFinishedWith(session, "collect-for-each", thrown);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldReportTheCallersErrorToLoopFinishedForACollectStream(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            Throwable thrown = session.thrown(() -> {
                try (Stream<Integer> values =
                        session.parfor().loop("collect-stream").onError(ErrorPolicy.COLLECT).chunkSize(1).stream(
                                range(10), x -> {
                                    if (x == 3) {
                                        throw new IOException("input 3 fails");
                                    }
                                    return x;
                                })) {
                    values.forEach(x -> {});
                }
            });
            assertFinishedWith(session, "collect-stream", thrown);
        }
    }

    private static void assertFinishedWith(Session session, String loop, @Nullable Throwable thrown) {
        ParallelForException failure = loopFailure(thrown, loop);
        await().atMost(Session.LIMIT).until(() -> !session.events().finished().isEmpty());
        Session.Events.Event finished = session.events().finished().get(0);
        assertThat(finished.loopName()).isEqualTo(loop);
        assertThat(finished.error()).as("loopFinished's error").isSameAs(failure);
        assertThat(finished.outcome()).isEqualTo(failure.outcome());
    }

    // --- mapChunks ---------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("engines")
    void shouldReportAFailedChunksInputsUnderCollect(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            AtomicReference<List<Integer>> result = new AtomicReference<>();
            Throwable thrown = session.thrown(() -> result.set(session.parfor()
                    .loop("chunks")
                    .onError(ErrorPolicy.COLLECT)
                    .mapChunks(range(9), 3, chunk -> {
                        if (chunk.contains(4)) {
                            throw new IOException("chunk " + chunk + " fails");
                        }
                        return chunk.stream().map(x -> x * 2).toList();
                    })));
            if (thrown == null) {
                // Reported in place: one empty slot per input of the failed chunk, and a loop that is not a success.
                assertThat(result.get()).containsExactly(0, 2, 4, null, null, null, 12, 14, 16);
                await().atMost(Session.LIMIT)
                        .until(() -> !session.events().finished().isEmpty());
                assertThat(session.events().finished().get(0).outcome()).isEqualTo(Outcome.PARTIAL);
            } else {
                // Or reported as failures that name the failed chunk's inputs.
                ParallelForException failure = loopFailure(thrown, "chunks");
                List<Object> failedInputs = new ArrayList<>();
                for (TaskFailure f : failure.failures()) {
                    if (f.input() instanceof List<?> list) {
                        failedInputs.addAll(list);
                    } else {
                        failedInputs.add(f.input());
                    }
                }
                assertThat(failedInputs).containsExactly(3, 4, 5);
            }
        }
    }
}
