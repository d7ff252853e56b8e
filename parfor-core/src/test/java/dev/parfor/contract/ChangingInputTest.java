package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.ParallelForException;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Input collections that change while a loop reads them: the loop either fails clearly (a
 * {@link ConcurrentModificationException} as the cause, the loop named) or reads them consistently. It never hangs,
 * and never loses a value or shifts one into another input's slot.
 */
class ChangingInputTest {

    static List<EngineCase> engines() {
        return EngineCase.all();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    /**
     * The two acceptable ends of a loop over {@code x -> 2 * x} whose input list held {@code 0..n-1} in order and
     * grew while the loop ran: a clear failure, or results that are exactly {@code 2 * i} at every index {@code i},
     * for at least the {@code atLeast} inputs there were at the start and at most {@code atMost}.
     */
    private static void assertFailedClearlyOrReadConsistently(
            @Nullable Throwable thrown, @Nullable List<Integer> results, String loop, int atLeast, int atMost) {
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(ParallelForException.class);
            ParallelForException failure = (ParallelForException) thrown;
            assertThat(failure.loop()).isEqualTo(loop);
            assertThat(failure.getMessage()).contains(loop);
            assertThat(UserCodeFencingTest.hasInChain(failure, ConcurrentModificationException.class))
                    .as("a ConcurrentModificationException in the cause chain of %s", failure)
                    .isTrue();
            return;
        }
        assertThat(results).isNotNull();
        assertThat(results.size()).isBetween(atLeast, atMost);
        List<Integer> wrong = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i) == null || results.get(i) != 2 * i) {
                wrong.add(i);
            }
        }
        assertThat(wrong).as("indices with a missing or shifted value").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailClearlyOrReadConsistentlyWhenAnotherThreadAddsToACopyOnWriteList(EngineCase engine)
            throws Exception {
        CopyOnWriteArrayList<Integer> inputs = new CopyOnWriteArrayList<>(range(1000));
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch added = new CountDownLatch(1);
        Thread adder = Thread.ofPlatform().daemon().name("adder").start(() -> {
            try {
                reading.await();
                for (int i = 1000; i < 2000; i++) {
                    inputs.add(i);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                added.countDown();
            }
        });
        try (Session session = Session.on(engine)) {
            AtomicReference<List<Integer>> results = new AtomicReference<>();
            Throwable thrown = session.thrown(() ->
                    results.set(session.parfor().loop("cow-list").chunkSize(1).map(inputs, x -> {
                        if (x == 10) {
                            reading.countDown();
                            added.await(Session.LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                        }
                        return 2 * x;
                    })));
            Session.join(adder);
            assertFailedClearlyOrReadConsistently(thrown, results.get(), "cow-list", 1000, 2000);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldFailClearlyOrReadConsistentlyWhenABodyAddsToItsOwnInputList(EngineCase engine) {
        List<Integer> inputs = Collections.synchronizedList(new ArrayList<>(range(100)));
        try (Session session = Session.on(engine)) {
            AtomicReference<List<Integer>> results = new AtomicReference<>();
            Throwable thrown = session.thrown(() ->
                    results.set(session.parfor().loop("own-list").chunkSize(1).map(inputs, x -> {
                        if (x == 10) {
                            inputs.add(100);
                        }
                        return 2 * x;
                    })));
            assertFailedClearlyOrReadConsistently(thrown, results.get(), "own-list", 100, 101);
        }
    }

    /**
     * A collection whose {@code size()} says 50 while its iterator yields 100 elements, as a collection that grew
     * between the loop asking its size and reading it.
     */
    static final class GrownCollection extends AbstractCollection<Integer> {
        @Override
        public Iterator<Integer> iterator() {
            return range(100).iterator();
        }

        @Override
        public int size() {
            return 50;
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldGiveEveryInputOfACollectionWhoseSizeLiedItsValue(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            AtomicReference<List<Integer>> results = new AtomicReference<>();
            Throwable thrown = session.thrown(() ->
                    results.set(session.parfor().loop("grown").chunkSize(1).map(new GrownCollection(), x -> {
                        // Slow enough that chunks are still running when the loop reads past the size it was told.
                        Thread.sleep(1);
                        return 2 * x;
                    })));
            if (thrown != null) {
                assertThat(thrown).isInstanceOf(ParallelForException.class);
                assertThat(((ParallelForException) thrown).loop()).isEqualTo("grown");
            } else {
                assertThat(results.get())
                        .containsExactlyElementsOf(
                                range(100).stream().map(x -> 2 * x).toList());
            }
        }
    }
}
