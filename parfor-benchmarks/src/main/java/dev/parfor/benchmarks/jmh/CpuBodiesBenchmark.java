package dev.parfor.benchmarks.jmh;

import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import dev.parfor.benchmarks.Peers;
import dev.parfor.benchmarks.Work;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Workload 2: CPU-bound bodies of about 1 ms each; time per whole loop. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CpuBodiesBenchmark {

    /** Number of inputs. */
    @Param("500")
    public int inputs;

    private final int cores = Runtime.getRuntime().availableProcessors();
    private List<Integer> data = List.of();
    private Function<Integer, Long> body = x -> 0L;
    private ExecutorService pool = Executors.newSingleThreadExecutor();
    private ParallelFor forkJoin = ParallelFor.create(Engines.sequential());

    /** Calibrates the body to about 1 ms and creates the pools. */
    @Setup
    public void setUp() {
        pool.shutdown();
        forkJoin.close();
        int rounds = Work.calibrate(1_000_000);
        body = x -> Work.cpu(x, rounds);
        data = IntStream.range(0, inputs).boxed().toList();
        pool = Executors.newFixedThreadPool(cores);
        forkJoin = ParallelFor.create(Engines.forkJoin(cores));
    }

    /** Shuts everything down. */
    @TearDown
    public void tearDown() {
        pool.shutdownNow();
        forkJoin.close();
    }

    /**
     * A plain for loop.
     *
     * @return the results
     */
    @Benchmark
    public List<Long> plainLoop() {
        return Peers.plainLoop(data, body);
    }

    /**
     * {@code parallelStream()}.
     *
     * @return the results
     */
    @Benchmark
    public List<Long> parallelStream() {
        return Peers.parallelStream(data, body);
    }

    /**
     * {@code invokeAll}, one task per input.
     *
     * @return the results
     * @throws Exception never, unless a task fails
     */
    @Benchmark
    public List<Long> invokeAll() throws Exception {
        return Peers.invokeAll(pool, data, body);
    }

    /**
     * parallel-collectors, one task per input.
     *
     * @return the results
     */
    @Benchmark
    public List<Long> parallelCollectors() {
        return Peers.parallelCollectors(pool, cores, data, body);
    }

    /**
     * parfor on its fork-join engine.
     *
     * @return the results
     */
    @Benchmark
    public List<Long> parforForkJoin() {
        return forkJoin.map(data, body::apply);
    }
}
