package dev.parfor.benchmarks.jmh;

import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import dev.parfor.benchmarks.Peers;
import dev.parfor.benchmarks.StarterMetrics;
import dev.parfor.benchmarks.Work;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Workloads 1 and 5: a million tiny bodies, one contender per benchmark method; time per whole loop. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
public class TinyBodiesBenchmark {

    /** Number of inputs. */
    @Param("1000000")
    public int inputs;

    private final int cores = Runtime.getRuntime().availableProcessors();
    private List<Integer> data = List.of();
    private ExecutorService pool = Executors.newSingleThreadExecutor();
    private Scheduler rails = Schedulers.immediate();
    private ParallelFor forkJoin = ParallelFor.create(Engines.sequential());
    private @Nullable StarterMetrics starter;
    private ParallelFor withMetrics = ParallelFor.create(Engines.sequential());

    /** Creates the inputs, the pools and the parfor instances. */
    @Setup
    public void setUp() {
        pool.shutdown();
        forkJoin.close();
        withMetrics.close();
        data = IntStream.range(0, inputs).boxed().toList();
        pool = Executors.newFixedThreadPool(cores);
        rails = Schedulers.newParallel("reactor-parallel", cores);
        forkJoin = ParallelFor.create(Engines.forkJoin(cores));
        starter = new StarterMetrics();
        withMetrics = starter.withMetrics();
    }

    /** Shuts everything down. */
    @TearDown
    public void tearDown() {
        pool.shutdownNow();
        rails.dispose();
        forkJoin.close();
        if (starter != null) {
            starter.close();
        }
    }

    /**
     * A plain for loop.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> plainLoop() {
        return Peers.plainLoop(data, Work::tiny);
    }

    /**
     * {@code parallelStream()}.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> parallelStream() {
        return Peers.parallelStream(data, Work::tiny);
    }

    /**
     * {@code invokeAll}, one task per input.
     *
     * @return the results
     * @throws Exception never, unless a task fails
     */
    @Benchmark
    public List<Integer> invokeAll() throws Exception {
        return Peers.invokeAll(pool, data, Work::tiny);
    }

    /**
     * {@code CompletableFuture.supplyAsync} per input.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> completableFuture() {
        return Peers.completableFutures(pool, data, Work::tiny);
    }

    /**
     * parallel-collectors, batched.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> parallelCollectorsBatched() {
        return Peers.parallelCollectorsBatched(pool, cores, data, Work::tiny);
    }

    /**
     * parallel-collectors, one task per input (slow: seconds per operation).
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> parallelCollectorsUnbatched() {
        return Peers.parallelCollectors(pool, cores, data, Work::tiny);
    }

    /**
     * Reactor {@code ParallelFlux}, results in completion order.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> reactorParallelFlux() {
        return Peers.reactorUnordered(rails, cores, data, Work::tiny);
    }

    /**
     * parfor on its fork-join engine with automatic chunks.
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> parforForkJoin() {
        return forkJoin.map(data, Work::tiny);
    }

    /**
     * The starter's {@code ParallelFor} bean with its Micrometer metrics (workload 5).
     *
     * @return the results
     */
    @Benchmark
    public List<Integer> parforForkJoinWithMetrics() {
        return withMetrics.map(data, Work::tiny);
    }
}
