package dev.parfor.benchmarks;

import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.IntStream;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Workload 7: the latency of one whole loop over 10 inputs with an empty body, which is what a web request pays for
 * going parallel. Every loop is timed on its own; contenders take turns in blocks of loops so that background load
 * falls on all of them alike; the median and the 99th percentile per loop are reported.
 */
final class LoopOverhead {

    private static final int INPUTS = 10;
    private static final int BLOCK = 100;

    private LoopOverhead() {}

    static List<Row> run(Workloads.Config config) throws Exception {
        int cores = Workloads.CORES;
        int warmupLoops = config.quick() ? 1_000 : 20_000;
        int measuredLoops = config.quick() ? 2_000 : 20_000;
        String title = "latency of one loop over " + INPUTS + " inputs, empty body";
        List<Integer> inputs = IntStream.range(0, INPUTS).boxed().toList();
        Function<Integer, Integer> empty = x -> x;
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        Scheduler rails = Schedulers.newParallel("reactor-parallel", cores);
        try (StarterMetrics starter = new StarterMetrics();
                ParallelFor forkJoin = ParallelFor.create(Engines.forkJoin(cores));
                ParallelFor virtual = ParallelFor.create(Engines.virtualThreads(10_000));
                ParallelFor sequential = ParallelFor.create(Engines.sequential())) {
            List<Bench.Contender> contenders = List.of(
                    Bench.Contender.plain("plain for loop", () -> Peers.plainLoop(inputs, empty)),
                    Bench.Contender.peer("parallelStream()", () -> Peers.parallelStream(inputs, empty)),
                    Bench.Contender.peer(
                            "invokeAll, one task per input (" + cores + " threads)",
                            () -> Peers.invokeAll(pool, inputs, empty)),
                    Bench.Contender.peer(
                            "CompletableFuture.supplyAsync per input (" + cores + " threads)",
                            () -> Peers.completableFutures(pool, inputs, empty)),
                    Bench.Contender.peer(
                            "parallel-collectors, unbatched (" + cores + " threads)",
                            () -> Peers.parallelCollectors(pool, cores, inputs, empty)),
                    Bench.Contender.peer(
                            "parallel-collectors, Batching (" + cores + " threads)",
                            () -> Peers.parallelCollectorsBatched(pool, cores, inputs, empty)),
                    Bench.Contender.peer(
                                    "Reactor ParallelFlux (" + cores + " rails)",
                                    () -> Peers.reactorUnordered(rails, cores, inputs, empty))
                            .note("completion order"),
                    Bench.Contender.parfor("parfor fork-join, map(inputs, body)", () -> forkJoin.map(inputs, x -> x))
                            .asReference(),
                    Bench.Contender.parfor(
                            "parfor fork-join, named loop",
                            () -> forkJoin.loop("empty").map(inputs, x -> x)),
                    Bench.Contender.parfor(
                            "starter bean, with Micrometer metrics",
                            () -> starter.withMetrics().map(inputs, x -> x)),
                    Bench.Contender.parfor(
                            "starter bean, metrics excluded",
                            () -> starter.withoutMetrics().map(inputs, x -> x)),
                    Bench.Contender.parfor("parfor virtual", () -> virtual.map(inputs, x -> x)),
                    Bench.Contender.parfor("parfor sequential", () -> sequential.map(inputs, x -> x)));
            int n = contenders.size();
            for (int i = 0; i < warmupLoops; i += BLOCK) {
                for (Bench.Contender c : contenders) {
                    for (int k = 0; k < BLOCK; k++) {
                        check(c, c.run().call());
                    }
                }
            }
            long[][] samples = new long[n][measuredLoops];
            for (int taken = 0, round = 0; taken < measuredLoops; taken += BLOCK, round++) {
                for (int j = 0; j < n; j++) {
                    int i = (j + round) % n;
                    Bench.Contender c = contenders.get(i);
                    for (int k = 0; k < BLOCK && taken + k < measuredLoops; k++) {
                        long start = System.nanoTime();
                        Object result = c.run().call();
                        samples[i][taken + k] = System.nanoTime() - start;
                        check(c, result);
                    }
                }
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long[] s = samples[i];
                Arrays.sort(s);
                double p99 = Bench.percentile(s, 0.99);
                Bench.Contender c = contenders.get(i);
                String note = "p99 " + Row.time(p99) + (c.note().isEmpty() ? "" : "; " + c.note());
                rows.add(Bench.summarize("7", title, c.note(note), s));
            }
            return rows;
        } finally {
            pool.shutdownNow();
            rails.dispose();
        }
    }

    private static void check(Bench.Contender c, Object result) {
        if (!(result instanceof List<?> list) || list.size() != INPUTS) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s returned %s", c.name(), result));
        }
    }
}
