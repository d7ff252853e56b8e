package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parfor.Engines;
import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.ProgressListener;
import dev.parfor.TaskFailure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's examples, verbatim where possible, so that they keep compiling and keep meaning what they say. */
class ReadmeExamplesTest {

    record Customer(int id, String name) {}

    /** A target for the invoke example. */
    public static final class Reports {
        public String render(int customer, int year, String currency) {
            return customer + "/" + year + "/" + currency;
        }
    }

    @Test
    void shouldRunTheQuickExamples() {
        try (ParallelFor parfor = ParallelFor.create(Engines.forkJoin())) {
            List<Integer> squares = parfor.map(List.of(1, 2, 3), x -> x * x);
            assertThat(squares).containsExactly(1, 4, 9);

            Map<String, Integer> prices = Map.of("apple", 3, "pear", 5);
            List<Integer> totals = parfor.map(List.of("apple", "pear"), prices, (fruit, table) -> table.get(fruit) * 2);
            assertThat(totals).containsExactly(6, 10);

            List<Double> h = parfor.loop().product(List.of(3.0, 5.0), List.of(4.0, 12.0), Math::hypot);
            assertThat(h).containsExactly(5.0, Math.hypot(3, 12), Math.hypot(5, 4), 13.0);

            List<String> labelled = parfor.loop().mapIndexed(List.of("a", "b"), (index, s) -> index + ":" + s);
            assertThat(labelled).containsExactly("0:a", "1:b");

            List<Integer> sums = parfor.loop()
                    .mapChunks(
                            List.of(1, 2, 3, 4, 5, 6),
                            3,
                            chunk -> List.of(
                                    chunk.stream().mapToInt(Integer::intValue).sum()));
            assertThat(sums).containsExactly(3, 7, 11);

            List<Object> reports = parfor.loop()
                    .invoke(
                            new Reports(),
                            "render",
                            List.of(Map.of("customer", 1), List.of(2, 2025)),
                            Map.of("year", 2026, "currency", "EUR"));
            assertThat(reports).containsExactly("1/2026/EUR", "2/2025/EUR");
        }
    }

    @Test
    void shouldRunTheNamedLoopAndStreamExamples() {
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("cpu", Engines.forkJoin(4))
                .engine("io", Engines.virtualThreads(200))
                .defaultEngine("cpu")
                .build()) {
            List<Customer> customers = List.of(new Customer(1, "Ada"), new Customer(2, "Bob"), new Customer(3, ""));
            LoopResult<String> result = parfor.loop("render-reports")
                    .engine("io")
                    .parallelism(64)
                    .onError(ErrorPolicy.COLLECT)
                    .retries(2, Duration.ofMillis(10))
                    .timeout(Duration.ofSeconds(30))
                    .taskTimeout(Duration.ofSeconds(5))
                    .progress(ProgressListener.logging(), Duration.ofSeconds(1))
                    .run(customers, customer -> {
                        if (customer.name().isEmpty()) {
                            throw new IllegalArgumentException("customer " + customer.id() + " has no name");
                        }
                        return "report for " + customer.name();
                    });
            assertThat(result.values()).containsExactly("report for Ada", "report for Bob", null);
            assertThat(result.valuesOr("no report")).containsExactly("report for Ada", "report for Bob", "no report");
            assertThat(result.failures())
                    .extracting(TaskFailure::index, TaskFailure::attempts)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 3));
            assertThatThrownBy(result::orThrow)
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("loop 'render-reports' failed at input #2");

            long evens;
            try (Stream<Long> squares =
                    parfor.loop("etl").stream(LongStream.range(0, 10_000_000).boxed(), x -> x * x)) {
                evens = squares.filter(x -> x % 2 == 0).count();
            }
            assertThat(evens).isEqualTo(5_000_000);

            assertThat(parfor.loop("on-io").engine("io").map(List.of(1, 2), x -> x + 1))
                    .containsExactly(2, 3);
        }
    }
}
