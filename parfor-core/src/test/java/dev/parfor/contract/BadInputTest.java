package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parfor.Body;
import dev.parfor.Engines;
import dev.parfor.ErrorPolicy;
import dev.parfor.ParallelFor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad input is refused before any task runs, with the parameter, the bad value and the fix. */
class BadInputTest {

    private final AtomicInteger ran = new AtomicInteger();
    private final ParallelFor parfor = ParallelFor.builder()
            .engine("fork-join", Engines.forkJoin(2))
            .engine("virtual", Engines.virtualThreads(4))
            .build();

    @AfterEach
    void noTaskRanAndClose() {
        assertThat(ran).as("tasks run despite bad input").hasValue(0);
        parfor.close();
    }

    @Test
    void shouldRefuseNullInputsAndBodies() {
        assertThatThrownBy(() -> parfor.map((List<Integer>) null, x -> x))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("'inputs' must not be null");
        assertThatThrownBy(() -> parfor.map(List.of(1), (Body<Integer, Integer>) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("'body' must not be null");
        assertThatThrownBy(() -> parfor.loop().product(null, List.of(1), (a, b) -> 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("'as' must not be null");
        assertThatThrownBy(() -> parfor.loop(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("'name' must not be null");
        assertThatThrownBy(() -> parfor.loop(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'name' must not be blank but was ' '");
    }

    @Test
    void shouldRefuseParallelismChunksAndDurationsOutOfRange() {
        assertThatThrownBy(() -> parfor.loop("l").parallelism(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'parallelism' must be greater than 0 but was -3");
        assertThatThrownBy(() -> parfor.loop("l").chunkSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'chunkSize' must be greater than 0 but was 0");
        assertThatThrownBy(() -> parfor.loop().mapChunks(List.of(1, 2), 0, c -> {
                    ran.incrementAndGet();
                    return c;
                }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'chunks' must be greater than 0 but was 0");
        assertThatThrownBy(() -> parfor.loop("l").timeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'timeout' must be a positive duration but was PT-1S");
        assertThatThrownBy(() -> parfor.loop("l").retries(-1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'retries' must be 0 or greater but was -1");
        assertThatThrownBy(() -> parfor.loop("l").retries(1, Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'backoff' must not be negative but was PT-0.005S");
        assertThatThrownBy(() -> Engines.forkJoin(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'parallelism' must be greater than 0 but was 0");
        assertThatThrownBy(() -> Engines.virtualThreads(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'maxConcurrency' must be greater than 0 but was -1");
        assertThatThrownBy(() -> ParallelFor.builder().loop("l", loop -> loop.parallelism(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'parallelism' must be greater than 0 but was 0");
    }

    @Test
    void shouldNameTheKnownEnginesForAnUnknownOne() {
        assertThatThrownBy(() -> parfor.loop("l").engine("gpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown engine 'gpu'; known engines: fork-join, virtual");
        assertThatThrownBy(() -> ParallelFor.builder()
                        .engine("cpu", Engines.sequential())
                        .loop("reports", loop -> loop.engine("gpu"))
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("loop 'reports' is routed to unknown engine 'gpu'; known engines: cpu");
        assertThatThrownBy(() -> ParallelFor.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no engine registered");
    }

    @Test
    void shouldRefuseAnOptionSetTwice() {
        assertThatThrownBy(() -> parfor.loop("l").parallelism(2).parallelism(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("option 'parallelism' is already set to 2; set each option once per loop");
        assertThatThrownBy(() -> parfor.loop("l").onError(ErrorPolicy.COLLECT).onError(ErrorPolicy.FAIL_FAST))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("option 'onError' is already set to COLLECT");
    }

    @Test
    void shouldCheckEveryInvokeInputBeforeAnyCall() {
        Target target = new Target();
        assertThatThrownBy(() -> parfor.loop().invoke(target, "nope", List.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'method' names no public instance method")
                .hasMessageContaining("'nope'");
        assertThatThrownBy(() -> parfor.loop()
                        .invoke(target, "scale", List.of(Map.of("x", 1, "factor", 2), Map.of("y", 2)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("input #1 for Target.scale(int x, int factor) has unknown argument(s) [y];"
                        + " it takes (int x, int factor)");
        assertThatThrownBy(() -> parfor.loop().invoke(target, "scale", List.of(Map.of("x", 1)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input #0")
                .hasMessageContaining("misses argument 'factor'")
                .hasMessageContaining("pass it in the input or in the context map");
        assertThatThrownBy(() -> parfor.loop().invoke(target, "scale", List.of(List.of("one", 2)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gives argument 'x' as java.lang.String one")
                .hasMessageContaining("needs a int");
        assertThatThrownBy(() -> parfor.loop().invoke(target, "scale", List.of("x=1"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("each input must be a Map of arguments by name or a List of positional");
    }

    /** A target for invoke whose calls would count as tasks run. */
    public final class Target {
        public int scale(int x, int factor) {
            ran.incrementAndGet();
            return x * factor;
        }
    }
}
