package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import dev.parfor.spi.Engine;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The built-in engines name their threads after the name they are registered under. */
class EngineThreadNamesTest {

    @Test
    void threadsAreNamedAfterTheEngine() {
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("cpu", Engines.forkJoin(2))
                .engine("io", Engines.virtualThreads(4))
                .build()) {
            assertThat(threads(parfor, "cpu")).isNotEmpty().allMatch(name -> name.matches("parfor-cpu-\\d+"));
            assertThat(threads(parfor, "io")).isNotEmpty().allMatch(name -> name.matches("parfor-io-\\d+"));
        }
    }

    @Test
    void anEngineRegisteredUnderTwoNamesKeepsTheFirst() {
        Engine shared = Engines.forkJoin(2);
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("first", shared)
                .engine("second", shared)
                .ownsEngines(false)
                .build()) {
            assertThat(threads(parfor, "second")).isNotEmpty().allMatch(name -> name.startsWith("parfor-first-"));
        } finally {
            shared.close();
        }
    }

    private static Set<String> threads(ParallelFor parfor, String engine) {
        List<Integer> inputs = IntStream.range(0, 64).boxed().toList();
        return new HashSet<>(parfor.loop("names-on-" + engine)
                .engine(engine)
                .chunkSize(1)
                .map(inputs, x -> Thread.currentThread().getName()));
    }
}
