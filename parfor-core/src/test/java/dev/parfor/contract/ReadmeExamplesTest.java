package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parfor.Engines;
import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.TaskFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The README's examples, verbatim where possible, so that they keep compiling and keep meaning what they say. */
class ReadmeExamplesTest {

    private static final Logger log = LoggerFactory.getLogger(ReadmeExamplesTest.class);

    record Customer(int id, String name) {}

    /** A target for the invoke example. */
    public static final class Reports {
        public String render(int customer, int year, String currency) {
            return customer + "/" + year + "/" + currency;
        }
    }

    private static double sum(double[] array, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += array[i];
        }
        return sum;
    }

    @Test
    void shouldRunTheQuickExamples(@TempDir Path dir) throws IOException {
        List<Path> paths = List.of(Files.createFile(dir.resolve("a")), Files.createFile(dir.resolve("b")));
        try (ParallelFor parfor = ParallelFor.create(Engines.forkJoin(4))) {
            List<Integer> squares = parfor.map(List.of(1, 2, 3), x -> x * x);
            assertThat(squares).containsExactly(1, 4, 9);

            Map<String, Integer> prices = Map.of("apple", 3, "pear", 5);
            List<Integer> totals = parfor.map(List.of("apple", "pear"), prices, (fruit, table) -> table.get(fruit) * 2);
            assertThat(totals).containsExactly(6, 10);

            parfor.loop().forEach(paths, path -> Files.delete(path));
            assertThat(dir).isEmptyDirectory();

            LoopResult<String> report =
                    parfor.loop("reports").onError(ErrorPolicy.COLLECT).run(List.of(1, 2), id -> "report " + id);
            assertThat(report.values()).containsExactly("report 1", "report 2");
        }
    }

    @Test
    void shouldRunThePythonFamilyExamples() {
        try (ParallelFor parfor = ParallelFor.create(Engines.forkJoin(4))) {
            List<Object> reports = parfor.loop("pyparfor")
                    .invoke(
                            new Reports(),
                            "render",
                            List.of(Map.of("customer", 1), List.of(2, 2025)),
                            Map.of("year", 2026, "currency", "EUR"));
            assertThat(reports).containsExactly("1/2026/EUR", "2/2025/EUR");

            List<Double> h = parfor.loop("parmap").product(List.of(3.0, 5.0), List.of(4.0, 12.0), Math::hypot);
            assertThat(h).containsExactly(5.0, Math.hypot(3, 12), Math.hypot(5, 4), 13.0);
            assertThatThrownBy(() -> parfor.loop("parmap-failing").map(List.of(1, 2, 0), x -> 10 / x))
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageStartingWith("loop 'parmap-failing' failed at input #2 (0): ")
                    .hasMessageContaining("ArithmeticException")
                    .hasCauseInstanceOf(ArithmeticException.class);

            double[] shared = new double[1_000_000];
            Arrays.fill(shared, 0.5);
            List<Double> sums =
                    parfor.map(List.of(0, 500_000), shared, (from, array) -> sum(array, from, from + 500_000));
            assertThat(sums).containsExactly(250_000.0, 250_000.0);

            List<Integer> totals = parfor.loop("parallelize")
                    .mapChunks(
                            List.of(1, 2, 3, 4, 5, 6),
                            3,
                            chunk -> List.of(
                                    chunk.stream().mapToInt(Integer::intValue).sum()));
            assertThat(totals).containsExactly(3, 7, 11);

            List<Integer> items = List.of(2, 3, 4);
            List<Integer> indices = IntStream.range(0, items.size()).boxed().toList();
            List<String> squared =
                    parfor.loop("squarer").map(indices, items, (i, xs) -> i + ":" + xs.get(i) * xs.get(i));
            assertThat(squared).containsExactly("0:4", "1:9", "2:16");
        }
    }

    @Test
    void shouldRunTheNamedLoopStreamAndAsyncExamples() throws Exception {
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("cpu", Engines.forkJoin(4)) // the first engine registered is the default
                .engine("io", Engines.virtualThreads(200))
                .limit("payments-api", 4, 50, 10)
                .build()) {
            List<Customer> customers = List.of(new Customer(1, "Ada"), new Customer(2, "Bob"), new Customer(3, ""));
            LoopResult<String> result = parfor.loop("render-reports")
                    .engine("io")
                    .parallelism(64)
                    .onError(ErrorPolicy.COLLECT)
                    .retries(2, Duration.ofMillis(10))
                    .backoff(2.0, Duration.ofSeconds(1), 0.5)
                    .timeout(Duration.ofSeconds(30))
                    .taskTimeout(Duration.ofSeconds(5))
                    .progress(progress -> log.info("{}", progress), Duration.ofSeconds(1))
                    .run(customers, customer -> {
                        if (customer.name().isEmpty()) {
                            throw new IllegalArgumentException("customer " + customer.id() + " has no name");
                        }
                        return "report for " + customer.name();
                    });
            assertThat(result.values()).containsExactly("report for Ada", "report for Bob", null);
            assertThat(result.valuesOr("none")).containsExactly("report for Ada", "report for Bob", "none");
            assertThat(result.failures())
                    .extracting(TaskFailure::index, TaskFailure::attempts)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 3));
            assertThatThrownBy(result::orThrow)
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("loop 'render-reports' failed at input #2")
                    .satisfies(e ->
                            assertThat(((ParallelForException) e).outcome()).isEqualTo(Outcome.PARTIAL));

            long evens;
            try (Stream<Long> ids = LongStream.range(0, 10_000_000).boxed();
                    Stream<Long> squares = parfor.loop("etl").stream(ids::iterator, x -> x * x)) {
                evens = squares.filter(x -> x % 2 == 0).count();
            }
            assertThat(evens).isEqualTo(5_000_000);

            CompletableFuture<List<Integer>> later = parfor.loop("async").mapAsync(List.of(1, 2, 3), id -> id * 10);
            assertThat(later.get(30, TimeUnit.SECONDS)).containsExactly(10, 20, 30);
            List<String> lines = new ArrayList<>();
            parfor.running().forEach(loop -> lines.add(loop.progress().toString()));
            assertThat(lines).isEmpty();
            assertThat(parfor.running())
                    .extracting(loop -> loop.progress().info())
                    .isEmpty();

            assertThat(parfor.loop("on-io").engine("io").limit("payments-api").map(List.of(1, 2), x -> x + 1))
                    .containsExactly(2, 3);
            assertThat(parfor.limits().get("payments-api").acquired()).isEqualTo(2);
        }
    }

    @Test
    void shouldRunTheDefaultsAndStreamSourceExamples() {
        try (ParallelFor parfor = ParallelFor.builder()
                .engine("cpu", Engines.forkJoin(4))
                .engine("io", Engines.virtualThreads(200), loop -> loop.timeout(Duration.ofMinutes(1)))
                .loop("render-reports", loop -> loop.engine("cpu").parallelism(8))
                .build()) {
            List<String> engines = new ArrayList<>();
            parfor.loop("render-reports")
                    .engine("io")
                    .progress(p -> engines.add(p.info().engine()), Duration.ofHours(1))
                    .map(List.of(1, 2), x -> x);
            assertThat(engines).containsOnly("cpu");

            List<Integer> exported = java.util.Collections.synchronizedList(new ArrayList<>());
            try (Stream<Integer> all = Stream.of(1, 2, 3)) {
                parfor.loop("export").forEach(all::iterator, exported::add);
            }
            assertThat(exported).containsExactlyInAnyOrder(1, 2, 3);
        }
    }
}
