package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The caller's context carried into workers, with every propagator call fenced. */
class ContextsTest {

    private final List<String> log = new ArrayList<>();

    private ContextPropagator propagator(String name, boolean installFails, boolean closeFails) {
        return () -> () -> {
            if (installFails) {
                throw new IllegalStateException(name + " cannot install");
            }
            log.add("install " + name);
            return () -> {
                log.add("close " + name);
                if (closeFails) {
                    throw new IllegalStateException(name + " cannot close");
                }
            };
        };
    }

    @Test
    void shouldInstallInOrderAndRestoreInReverse() throws Exception {
        Contexts contexts =
                Contexts.capture("l", List.of(propagator("a", false, false), propagator("b", false, false)));

        contexts.install().run();

        assertThat(log).containsExactly("install a", "install b", "close b", "close a");
    }

    @Test
    void shouldRestoreWhatWasInstalledWhenALaterInstallFails() throws Exception {
        Contexts contexts = Contexts.capture("l", List.of(propagator("a", false, false), propagator("b", true, false)));

        assertThatThrownBy(contexts::install).hasMessage("b cannot install");
        assertThat(log).containsExactly("install a", "close a");
    }

    @Test
    void shouldRestoreEveryContextEvenWhenOneFailsAndNotThrow() throws Exception {
        Contexts contexts = Contexts.capture("l", List.of(propagator("a", false, false), propagator("b", false, true)));

        contexts.install().run();

        assertThat(log).containsExactly("install a", "install b", "close b", "close a");
    }

    @Test
    void shouldNameTheLoopAndThePropagatorWhenACaptureFails() {
        ContextPropagator nothing = () -> null;

        assertThatThrownBy(() -> Contexts.capture("orders", List.of(nothing)))
                .isInstanceOf(Contexts.CaptureFailed.class)
                .hasMessageStartingWith("loop 'orders' could not capture the caller's context with ")
                .hasMessageContaining(nothing.getClass().getName());
    }

    @Test
    void shouldFailTheFutureOfAnAsyncLoopWhoseCaptureFails() {
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("fork-join", Engines.forkJoin(2))
                .contextPropagator(() -> {
                    throw new IllegalStateException("no tenant");
                })
                .build()) {
            CompletableFuture<List<Integer>> future =
                    parfor.loop("async-capture").mapAsync(List.of(1, 2), x -> x);

            assertThatThrownBy(future::join)
                    .cause()
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageStartingWith("loop 'async-capture' could not capture the caller's context with ")
                    .hasRootCauseMessage("no tenant");
        }
    }

    @Test
    void shouldFailTheFutureOfAnAsyncLoopWhoseContextCannotBeInstalled() {
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("fork-join", Engines.forkJoin(2))
                .contextPropagator(() -> () -> {
                    throw new IllegalStateException("no tenant here");
                })
                .build()) {
            CompletableFuture<List<Integer>> future =
                    parfor.loop("async-install").mapAsync(List.of(1, 2), x -> x);

            assertThatThrownBy(future::join)
                    .cause()
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageStartingWith("loop 'async-install' could not install the caller's context")
                    .hasRootCauseMessage("no tenant here");
        }
    }

    @Test
    void shouldCarryTheContextIntoAnAsyncLoopAndRestoreItAfter() throws Exception {
        ThreadLocal<String> tenant = new ThreadLocal<>();
        AtomicInteger installed = new AtomicInteger();
        AtomicInteger restored = new AtomicInteger();
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("fork-join", Engines.forkJoin(2))
                .contextPropagator(() -> {
                    String captured = tenant.get();
                    return () -> {
                        String previous = tenant.get();
                        tenant.set(captured);
                        installed.incrementAndGet();
                        return () -> {
                            restored.incrementAndGet();
                            tenant.set(previous);
                        };
                    };
                })
                .build()) {
            tenant.set("acme");
            List<String> seen = parfor.loop("async-context")
                    .chunkSize(1)
                    .mapAsync(List.of(1, 2, 3, 4), x -> tenant.get())
                    .get();

            assertThat(seen).containsOnly("acme");
            // Installed on the loop's own thread and on every worker that ran a chunk; each install restored (the
            // loop's own thread restores its context just after it completed the future).
            assertThat(installed.get()).isGreaterThan(1);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(restored.get()).isEqualTo(installed.get()));
        } finally {
            tenant.remove();
        }
    }

    @Test
    void shouldCarryNothingWithoutPropagators() throws Exception {
        assertThat(Contexts.capture("l", List.of())).isSameAs(Contexts.NONE);
    }
}
