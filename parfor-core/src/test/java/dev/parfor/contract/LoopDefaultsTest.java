package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parfor.Engines;
import dev.parfor.Loop;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.Progress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Defaults per engine and per loop name are set on a {@link Loop} handed to a consumer of the builder: it records
 * options only, the call site still overrides an engine's defaults without a clash, and a loop name's defaults still
 * beat the call site.
 */
class LoopDefaultsTest {

    /** A body whose input {@code n} fails its first {@code n} attempts. */
    private static dev.parfor.Body<Integer, Integer> failingFirstAttempts(
            ConcurrentHashMap<Integer, AtomicInteger> seen) {
        return n -> {
            if (seen.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet() <= n) {
                throw new IllegalStateException("attempt of " + n);
            }
            return n;
        };
    }

    @Test
    void shouldApplyAnEngineDefaultUnlessTheCallSiteSetsTheSameOption() {
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("cpu", Engines.sequential(), loop -> loop.retries(2, Duration.ZERO))
                .build()) {
            assertThat(parfor.loop("defaults").map(List.of(0, 1, 2), failingFirstAttempts(new ConcurrentHashMap<>())))
                    .containsExactly(0, 1, 2);
            // Set once at the call site: no clash with the default, and it wins.
            assertThatThrownBy(() -> parfor.loop("call-site")
                            .retries(0, Duration.ZERO)
                            .map(List.of(0, 1), failingFirstAttempts(new ConcurrentHashMap<>())))
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("loop 'call-site' failed at input #1");
        }
    }

    @Test
    void shouldLetALoopNamesDefaultsBeatTheCallSite() {
        List<String> engines = new CopyOnWriteArrayList<>();
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("cpu", Engines.sequential())
                .engine("io", Engines.forkJoin(2))
                .loop(
                        "reports",
                        loop -> loop.engine("io")
                                .progress(p -> engines.add(p.info().engine()), Duration.ofHours(1)))
                .build()) {
            assertThat(parfor.loop("reports").engine("cpu").map(List.of(1, 2), x -> x * 2))
                    .containsExactly(2, 4);
        }
        assertThat(engines).isNotEmpty().containsOnly("io");
    }

    @Test
    void shouldTakeRetryPredicateAndProgressAsDefaults() {
        List<Progress> reports = new CopyOnWriteArrayList<>();
        try (ParallelFor parfor = ParallelFor.builder()
                .engine(
                        "cpu",
                        Engines.sequential(),
                        loop -> loop.retries(3, Duration.ZERO)
                                .retryOn(e -> !(e instanceof IllegalStateException))
                                .progress(reports::add, Duration.ofHours(1)))
                .build()) {
            assertThatThrownBy(() -> parfor.loop("not-retried")
                            .map(List.of(0, 1), failingFirstAttempts(new ConcurrentHashMap<>())))
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("failed at input #1");
        }
        assertThat(reports).isNotEmpty();
        assertThat(reports.get(reports.size() - 1).info().name()).isEqualTo("not-retried");
    }

    @Test
    void shouldRefuseATerminalOnTheLoopThatRecordsDefaults() {
        assertThatThrownBy(() -> ParallelFor.builder()
                        .loop("reports", loop -> loop.parallelism(2).map(List.of(1), x -> x)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("defaults of loop 'reports' only records options")
                .hasMessageContaining("parfor.loop(\"name\")");
        assertThatThrownBy(() -> ParallelFor.builder()
                        .engine("cpu", Engines.sequential(), loop -> loop.forEach(List.of(1), x -> {})))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("defaults of engine 'cpu' only records options");
        assertThatThrownBy(() -> ParallelFor.builder()
                        .loop("invoked", loop -> loop.invoke(this, "toString", List.of(List.of()), java.util.Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("defaults of loop 'invoked'");
    }

    @Test
    void shouldRefuseAnOptionSetOnTheRecorderAfterItsConsumerReturned() {
        AtomicReference<Loop> kept = new AtomicReference<>();
        ParallelFor.builder().loop("kept", kept::set);
        assertThatThrownBy(() -> kept.get().parallelism(4))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("defaults of loop 'kept' were taken when its consumer returned");
    }

    @Test
    void shouldRefuseAnEngineDefaultThatRoutesToAnotherEngineAtBuild() {
        ParallelFor.Builder builder = ParallelFor.builder()
                .engine("cpu", Engines.sequential(), loop -> loop.engine("io"))
                .engine("io", Engines.sequential());
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'engine' cannot be a default of engine 'cpu' but was 'io'")
                .hasMessageContaining("builder.loop(\"name\", loop -> loop.engine(\"io\"))");
    }

    @Test
    void shouldCheckTheNamesInDefaultsAtBuild() {
        assertThatThrownBy(() -> ParallelFor.builder()
                        .engine("cpu", Engines.sequential(), loop -> loop.limit("payments"))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("engine 'cpu' uses unknown limit 'payments'; known limits: none."
                        + " Register it with limit(\"payments\", ...)");
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("cpu", Engines.sequential(), loop -> loop.limit("payments"))
                .limit("payments", 1, 0, 1)
                .build()) {
            assertThat(parfor.map(List.of(1, 2), x -> x + 1)).containsExactly(2, 3);
            assertThat(parfor.limits().get("payments").acquired()).isEqualTo(2);
        }
    }
}
