package dev.parfor.benchmarks.jmh;

import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import dev.parfor.benchmarks.Peers;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Workload 7: the latency of a whole loop over 10 inputs with an empty body, sampled per call. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LoopOverheadBenchmark {

    private static final Function<Integer, Integer> EMPTY = x -> x;

    private final int cores = Runtime.getRuntime().availableProcessors();
    private final List<Integer> data = IntStream.range(0, 10).boxed().toList();
    private ExecutorService pool = Executors.newSingleThreadExecutor();
    private ParallelFor forkJoin = ParallelFor.create(Engines.sequential());
    private ParallelFor virtual = ParallelFor.create(Engines.sequential());

    /** Creates the pools and parfor instances. */
    @Setup
    public void setUp() {
        pool.shutdown();
        forkJoin.close();
        virtual.close();
        pool = Executors.newFixedThreadPool(cores);
        forkJoin = ParallelFor.create(Engines.forkJoin(cores));
        virtual = ParallelFor.create(Engines.virtualThreads(10_000));
    }

    /** Shuts everything down. */
    @TearDown
    public void tearDown() {
        pool.shutdownNow();
        forkJoin.close();
        virtual.close();
    }

    /**
     * {@code parallelStream()}.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> parallelStream() {
        return Peers.parallelStream(data, EMPTY);
    }

    /**
     * {@code CompletableFuture.supplyAsync} per input.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> completableFuture() {
        return Peers.completableFutures(pool, data, EMPTY);
    }

    /**
     * parfor fork-join, loop named by its call site.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> parforForkJoin() {
        return forkJoin.map(data, x -> x);
    }

    /**
     * parfor fork-join, named loop.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> parforForkJoinNamed() {
        return forkJoin.loop("empty").map(data, x -> x);
    }

    /**
     * parfor on virtual threads.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> parforVirtual() {
        return virtual.map(data, x -> x);
    }
}
