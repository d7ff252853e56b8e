package dev.parfor.benchmarks;

import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The workloads. Each runs in its own JVM, started by {@link Harness}, and returns its rows. */
final class Workloads {

    static final int CORES = Runtime.getRuntime().availableProcessors();

    /** The contenders of workload 4, each run in its own small-heap JVM. */
    static final List<String> LAZY_CONTENDERS = List.of(
            "plain loop",
            "parfor fork-join, ordered stream",
            "parfor fork-join, streamAsCompleted",
            "parallelStream over the iterator, forEachOrdered",
            "parallel-collectors Batching.parallelToOrderedStream",
            "Reactor ParallelFlux.ordered");

    private Workloads() {}

    /** What a workload's JVM was asked to do. */
    record Config(
            boolean quick, @Nullable String url, @Nullable String contender) {}

    static List<Row> run(String workload, Config config) throws Exception {
        return switch (workload) {
            case "1" -> tinyBodies(config);
            case "2" -> cpuBodies(config);
            case "3a" -> blocking(config, false);
            case "3b" -> blocking(config, true);
            case "4" -> lazyStream(config);
            case "5" -> metrics(config);
            case "7" -> LoopOverhead.run(config);
            default -> throw new IllegalArgumentException("unknown workload '" + workload + "'");
        };
    }

    // -------------------------------------------------------------------------------------------------------------
    // 1. One million tiny bodies

    static List<Row> tinyBodies(Config config) throws Exception {
        int n = config.quick() ? 20_000 : 1_000_000;
        String title = String.format(Locale.ROOT, "%,d tiny bodies (an integer hash)", n);
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        List<Integer> expected = Peers.plainLoop(inputs, Work::tiny);
        ExecutorService pool = Executors.newFixedThreadPool(CORES);
        Scheduler rails = Schedulers.newParallel("reactor-parallel", CORES);
        try (ParallelFor forkJoin = ParallelFor.create(Engines.forkJoin(CORES));
                ParallelFor sequential = ParallelFor.create(Engines.sequential())) {
            List<Bench.Contender> contenders = List.of(
                    Bench.Contender.plain("plain for loop", () -> Peers.plainLoop(inputs, Work::tiny)),
                    Bench.Contender.peer("parallelStream()", () -> Peers.parallelStream(inputs, Work::tiny)),
                    Bench.Contender.peer(
                            "invokeAll, one task per input (" + CORES + " threads)",
                            () -> Peers.invokeAll(pool, inputs, Work::tiny)),
                    Bench.Contender.peer(
                            "CompletableFuture.supplyAsync per input (" + CORES + " threads)",
                            () -> Peers.completableFutures(pool, inputs, Work::tiny)),
                    Bench.Contender.peer(
                            "parallel-collectors, unbatched (" + CORES + " threads)",
                            () -> Peers.parallelCollectors(pool, CORES, inputs, Work::tiny)),
                    Bench.Contender.peer(
                            "parallel-collectors, Batching (" + CORES + " threads)",
                            () -> Peers.parallelCollectorsBatched(pool, CORES, inputs, Work::tiny)),
                    Bench.Contender.peer(
                                    "Reactor ParallelFlux (" + CORES + " rails)",
                                    () -> Peers.reactorUnordered(rails, CORES, inputs, Work::tiny))
                            .note("completion order")
                            .checkedBy(sameElements(expected)),
                    Bench.Contender.parfor("parfor fork-join, auto chunks", () -> forkJoin.map(inputs, Work::tiny))
                            .asReference(),
                    Bench.Contender.parfor(
                            "parfor fork-join, chunkSize(1)",
                            () -> forkJoin.loop("tiny-chunk-1").chunkSize(1).map(inputs, Work::tiny)),
                    Bench.Contender.parfor("parfor sequential", () -> sequential.map(inputs, Work::tiny)));
            return new Bench("1", title, Bench.Settings.of(config.quick()), sameInOrder(expected)).run(contenders);
        } finally {
            pool.shutdownNow();
            rails.dispose();
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // 2. CPU-bound bodies of about 1 ms

    static List<Row> cpuBodies(Config config) throws Exception {
        int n = config.quick() ? 50 : 2_000;
        int rounds = Work.calibrate(1_000_000);
        Function<Integer, Long> body = x -> Work.cpu(x, rounds);
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        List<Long> expected = Peers.plainLoop(inputs, body);
        ExecutorService pool = Executors.newFixedThreadPool(CORES);
        Scheduler rails = Schedulers.newParallel("reactor-parallel", CORES);
        String title = String.format(Locale.ROOT, "%,d CPU-bound bodies of ~1 ms", n);
        try (ParallelFor forkJoin = ParallelFor.create(Engines.forkJoin(CORES));
                ParallelFor executor = ParallelFor.create(Engines.executor(pool, CORES))) {
            List<Bench.Contender> contenders = List.of(
                    Bench.Contender.plain("plain for loop", () -> Peers.plainLoop(inputs, body)),
                    Bench.Contender.peer("parallelStream()", () -> Peers.parallelStream(inputs, body)),
                    Bench.Contender.peer(
                                    "hand-written: " + CORES + " threads sharing a counter",
                                    () -> Peers.handWrittenThreads(CORES, inputs, body))
                            .note("the ceiling on this machine at this moment"),
                    Bench.Contender.peer(
                            "invokeAll, one task per input (" + CORES + " threads)",
                            () -> Peers.invokeAll(pool, inputs, body)),
                    Bench.Contender.peer(
                            "CompletableFuture.supplyAsync per input (" + CORES + " threads)",
                            () -> Peers.completableFutures(pool, inputs, body)),
                    Bench.Contender.peer(
                            "parallel-collectors, unbatched (" + CORES + " threads)",
                            () -> Peers.parallelCollectors(pool, CORES, inputs, body)),
                    Bench.Contender.peer(
                            "parallel-collectors, Batching (" + CORES + " threads)",
                            () -> Peers.parallelCollectorsBatched(pool, CORES, inputs, body)),
                    Bench.Contender.peer(
                                    "Reactor ParallelFlux (" + CORES + " rails)",
                                    () -> Peers.reactorUnordered(rails, CORES, inputs, body))
                            .note("completion order")
                            .checkedBy(sameElements(expected)),
                    Bench.Contender.parfor("parfor fork-join, auto chunks", () -> forkJoin.map(inputs, body::apply))
                            .asReference(),
                    Bench.Contender.parfor(
                            "parfor executor (the same " + CORES + "-thread pool)",
                            () -> executor.map(inputs, body::apply)));
            List<Row> rows =
                    new Bench("2", title, Bench.Settings.of(config.quick()), sameInOrder(expected)).run(contenders);
            List<Row> out = new ArrayList<>();
            for (Row row : rows) {
                out.add(
                        row.kind() == Row.Kind.PLAIN && row.ok()
                                ? row.withNote(String.format(
                                        Locale.ROOT, "%.2f ms per body on one core", row.medianNanos() / n / 1e6))
                                : row);
            }
            return out;
        } finally {
            pool.shutdownNow();
            rails.dispose();
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // 3. Blocking calls of 100 ms: sleeps (3a), then real HTTP calls to a loopback server (3b)

    static List<Row> blocking(Config config, boolean http) throws Exception {
        int n = config.quick() ? 400 : 10_000;
        int threads = 200;
        String title = http
                ? String.format(Locale.ROOT, "%,d HTTP calls to a loopback server that answers in 100 ms", n)
                : String.format(Locale.ROOT, "%,d blocking calls of 100 ms (sleep)", n);
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
        Function<Integer, Integer> body;
        if (http) {
            if (config.url() == null) {
                throw new IllegalArgumentException("workload 3b needs --url of the loopback server");
            }
            URI uri = URI.create(config.url());
            body = x -> Work.http(client, uri);
        } else {
            body = x -> Work.sleep(x, 100);
        }
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        List<Integer> expected = http ? java.util.Collections.nCopies(n, 200) : inputs;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Scheduler elastic = Schedulers.newBoundedElastic(threads, Integer.MAX_VALUE, "reactor-elastic");
        try (ParallelFor virtual = ParallelFor.create(Engines.virtualThreads(10_000));
                ParallelFor executor = ParallelFor.create(Engines.executor(pool, threads))) {
            List<Bench.Contender> contenders = List.of(
                    Bench.Contender.parfor(
                                    "parfor virtual (virtualThreads(10_000))", () -> virtual.map(inputs, body::apply))
                            .asReference(),
                    Bench.Contender.parfor(
                            "parfor executor (the 200-thread pool)", () -> executor.map(inputs, body::apply)),
                    Bench.Contender.peer(
                            "invokeAll, one task per input (200 threads)", () -> Peers.invokeAll(pool, inputs, body)),
                    Bench.Contender.peer(
                            "CompletableFuture.supplyAsync per input (200 threads)",
                            () -> Peers.completableFutures(pool, inputs, body)),
                    Bench.Contender.peer(
                            "parallel-collectors (200 threads, parallelism 200)",
                            () -> Peers.parallelCollectors(pool, threads, inputs, body)),
                    Bench.Contender.peer(
                            "parallel-collectors default (virtual threads, no limit)",
                            () -> Peers.parallelCollectorsVirtual(inputs, body)),
                    Bench.Contender.peer(
                                    "Reactor ParallelFlux (200 rails, boundedElastic 200)",
                                    () -> Peers.reactorUnordered(elastic, threads, inputs, body))
                            .note("completion order")
                            .checkedBy(sameElements(expected)));
            return new Bench(http ? "3b" : "3a", title, Bench.Settings.of(config.quick()), sameInOrder(expected))
                    .run(contenders);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
            elastic.dispose();
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // 4. Ten million lazily generated inputs through an ordered stream, in a 64 MB heap

    static List<Row> lazyStream(Config config) throws Exception {
        long n = config.quick() ? 1_000_000L : 10_000_000L;
        String contender = config.contender();
        if (contender == null || !LAZY_CONTENDERS.contains(contender)) {
            throw new IllegalArgumentException(
                    "workload 4 runs one contender per JVM; --contender must be one of " + LAZY_CONTENDERS);
        }
        String title = String.format(
                Locale.ROOT,
                "%,d lazily generated inputs, results consumed in order, -Xmx%dm",
                n,
                HeapWatch.maxHeapBytes() >> 20);
        Function<Long, Long> body = x -> 2 * x + 1;
        boolean ordered = !contender.contains("streamAsCompleted");
        OrderedSum sink = new OrderedSum(ordered);
        Row.Kind kind = contender.startsWith("parfor")
                ? Row.Kind.PARFOR
                : contender.startsWith("plain") ? Row.Kind.PLAIN : Row.Kind.PEER;
        boolean reference = contender.equals("parfor fork-join, ordered stream");
        ExecutorService pool = Executors.newFixedThreadPool(CORES);
        Scheduler rails = Schedulers.newParallel("reactor-parallel", CORES);
        try (ParallelFor forkJoin = ParallelFor.create(Engines.forkJoin(CORES))) {
            Runnable run = switch (LAZY_CONTENDERS.indexOf(contender)) {
                case 0 -> () -> Peers.plainLoopStream(counting(n), body, sink);
                case 1 ->
                    () -> {
                        try (Stream<Long> results = forkJoin.loop("lazy").stream(() -> counting(n), body::apply)) {
                            results.forEach(sink::accept);
                        }
                    };
                case 2 ->
                    () -> {
                        try (Stream<Long> results =
                                forkJoin.loop("lazy").streamAsCompleted(() -> counting(n), body::apply)) {
                            results.forEach(sink::accept);
                        }
                    };
                case 3 -> () -> Peers.parallelStreamOrdered(counting(n), body, sink);
                case 4 -> () -> Peers.parallelCollectorsOrdered(pool, CORES, counting(n), body, sink);
                default -> () -> Peers.reactorOrdered(rails, CORES, () -> counting(n), body, sink);
            };
            String failure = null;
            HeapWatch heap = new HeapWatch();
            long start = System.nanoTime();
            try {
                run.run();
            } catch (Throwable e) {
                failure = Bench.describe(e);
            }
            long nanos = System.nanoTime() - start;
            heap.close();
            long peak = heap.peakBytes();
            long collections = heap.collections();
            String memory = String.format(Locale.ROOT, "peak heap %.1f MB, %,d GCs", peak / 1048576.0, collections);
            if (failure != null) {
                return List.of(Row.failed(
                        "4",
                        title,
                        contender,
                        kind,
                        reference,
                        "failed after " + Row.time(nanos) + ": " + failure + "; " + memory));
            }
            String wrong = sink.check(n);
            if (wrong != null) {
                return List.of(Row.failed("4", title, contender, kind, reference, "wrong result: " + wrong));
            }
            String note = memory + "; one run" + (ordered ? "" : "; completion order");
            Row row = new Row("4", title, contender, kind, reference, nanos, 0, 1, note);
            System.err.printf(Locale.ROOT, "  [4] %-48s %10s  %s%n", contender, Row.time(nanos), memory);
            return List.of(row);
        } finally {
            pool.shutdownNow();
            rails.dispose();
        }
    }

    /** 0, 1, 2, ... n-1, generated one at a time: nothing holds them all. */
    static Iterator<Long> counting(long n) {
        return new Iterator<>() {
            private long next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public Long next() {
                if (next >= n) {
                    throw new NoSuchElementException();
                }
                return next++;
            }
        };
    }

    /** Sums results and checks they arrive in input order (results are 2x+1, so consecutive ones differ by 2). */
    static final class OrderedSum implements LongConsumer {
        private final boolean ordered;
        private long sum;
        private long count;
        private long last = -1;
        private long outOfOrder;

        OrderedSum(boolean ordered) {
            this.ordered = ordered;
        }

        @Override
        public void accept(long value) {
            if (ordered && value != last + 2) {
                outOfOrder++;
            }
            last = value;
            sum += value;
            count++;
        }

        @Nullable
        String check(long n) {
            if (count != n) {
                return count + " results for " + n + " inputs";
            }
            if (sum != n * n) {
                return "sum " + sum + " instead of " + n * n;
            }
            if (outOfOrder > 0) {
                return outOfOrder + " results out of order";
            }
            return null;
        }
    }

    // -------------------------------------------------------------------------------------------------------------
    // 5. Metrics on versus off, on workload 1

    static List<Row> metrics(Config config) throws Exception {
        int n = config.quick() ? 20_000 : 1_000_000;
        String title = String.format(
                Locale.ROOT, "%,d tiny bodies, the starter's Micrometer metrics on vs off (fork-join engine bean)", n);
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        List<Integer> expected = Peers.plainLoop(inputs, Work::tiny);
        try (StarterMetrics starter = new StarterMetrics()) {
            ParallelFor off = starter.withoutMetrics();
            ParallelFor on = starter.withMetrics();
            Bench.Contender reference = Bench.Contender.parfor(
                            "starter, metrics auto-configuration excluded", () -> off.map(inputs, Work::tiny))
                    .asReference();
            Bench.Contender measured = Bench.Contender.parfor(
                            "starter with Micrometer metrics and observation", () -> on.map(inputs, Work::tiny))
                    .note(starter.describe());
            List<Row> rows = paired(
                    "5",
                    title,
                    reference,
                    measured,
                    sameInOrder(expected),
                    config.quick() ? 20 : 40,
                    config.quick() ? 30 : 1_000);
            double tasks = starter.registry().find("parfor.tasks").counters().stream()
                    .mapToDouble(c -> c.count())
                    .sum();
            if (tasks < n) {
                throw new IllegalStateException("the listener counted " + tasks + " tasks, fewer than one run's " + n);
            }
            return rows;
        }
    }

    /**
     * Measures two contenders in pairs, alternating which goes first: the difference looked for is a few percent,
     * smaller than the swings that other processes on the machine cause, but those swings are slow compared with
     * one pair, so the median of the per-pair ratios still shows it.
     */
    static List<Row> paired(
            String workload,
            String title,
            Bench.Contender reference,
            Bench.Contender measured,
            Function<Object, @Nullable String> check,
            int warmups,
            int pairs)
            throws Exception {
        for (int i = 0; i < warmups; i++) {
            reference.run().call();
            measured.run().call();
        }
        for (Bench.Contender c : List.of(reference, measured)) {
            String wrong = check.apply(c.run().call());
            if (wrong != null) {
                throw new IllegalStateException(c.name() + " returned a wrong result: " + wrong);
            }
        }
        long[] base = new long[pairs];
        long[] other = new long[pairs];
        double[] ratios = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            if (p % 2 == 0) {
                base[p] = time(reference);
                other[p] = time(measured);
            } else {
                other[p] = time(measured);
                base[p] = time(reference);
            }
            ratios[p] = (double) other[p] / base[p];
        }
        java.util.Arrays.sort(ratios);
        double ratio = ratios[pairs / 2];
        Row first = Bench.summarize(workload, title, reference, base);
        Row second = Bench.summarize(workload, title, measured, other);
        // A distribution-free 95% confidence interval of the median: the order statistics 1.96 standard deviations
        // of a binomial(pairs, 1/2) count either side of the middle.
        int k = (int) Math.max(0, Math.floor(pairs / 2.0 - 0.98 * Math.sqrt(pairs)));
        String note = String.format(
                Locale.ROOT,
                "paired: median of %d per-pair ratios %.3f (95%% confidence interval %.3f to %.3f)",
                pairs,
                ratio,
                ratios[k],
                ratios[pairs - 1 - k]);
        System.err.printf(Locale.ROOT, "  [%s] %s%n", workload, note);
        second = second.withNote(note);
        return List.of(
                first,
                new Row(
                        second.workload(),
                        second.title(),
                        second.contender(),
                        second.kind(),
                        second.reference(),
                        second.medianNanos(),
                        second.spread(),
                        second.samples(),
                        second.note(),
                        ratio));
    }

    private static long time(Bench.Contender c) throws Exception {
        long start = System.nanoTime();
        c.run().call();
        return System.nanoTime() - start;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Result checks

    static Function<Object, @Nullable String> sameInOrder(List<?> expected) {
        return result -> {
            if (!(result instanceof List<?> list)) {
                return "not a list: " + result;
            }
            if (list.size() != expected.size()) {
                return list.size() + " results for " + expected.size() + " inputs";
            }
            for (int i = 0; i < list.size(); i++) {
                if (!expected.get(i).equals(list.get(i))) {
                    return "result #" + i + " is " + list.get(i) + " instead of " + expected.get(i);
                }
            }
            return null;
        };
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Function<Object, @Nullable String> sameElements(List<? extends Comparable<?>> expected) {
        List<Comparable> sorted = new ArrayList<>(expected);
        sorted.sort(null);
        return result -> {
            if (!(result instanceof List<?> list)) {
                return "not a list: " + result;
            }
            List<Comparable> got = new ArrayList<>((List<Comparable>) list);
            got.sort(null);
            return got.equals(sorted) ? null : "not the same results as the plain loop";
        };
    }
}
