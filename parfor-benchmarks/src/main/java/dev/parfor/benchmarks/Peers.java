package dev.parfor.benchmarks;

import com.pivovarit.collectors.ParallelCollectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The ways of running a loop body that parfor is compared with, each written the way its documentation shows. Every
 * method returns the results in input order unless its name says otherwise.
 */
public final class Peers {

    private Peers() {}

    /**
     * A plain for loop on the caller's thread.
     *
     * @param inputs the inputs
     * @param body the body
     * @param <T> input type
     * @param <R> result type
     * @return the results
     */
    public static <T, R> List<R> plainLoop(List<T> inputs, Function<? super T, ? extends R> body) {
        List<R> out = new ArrayList<>(inputs.size());
        for (T input : inputs) {
            out.add(body.apply(input));
        }
        return out;
    }

    /**
     * Hand-written: {@code threads} new platform threads take inputs one at a time from a shared counter and write
     * each result into its slot. What an expert would write for a one-off: no library, no pool, dynamic balance.
     *
     * @param threads how many threads
     * @param inputs the inputs
     * @param body the body
     * @param <T> input type
     * @param <R> result type
     * @return the results
     * @throws InterruptedException when interrupted while joining the threads
     */
    @SuppressWarnings("unchecked")
    public static <T, R> List<R> handWrittenThreads(int threads, List<T> inputs, Function<? super T, ? extends R> body)
            throws InterruptedException {
        Object[] out = new Object[inputs.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < out.length; i = next.getAndIncrement()) {
                        out[i] = body.apply(inputs.get(i));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    next.set(out.length);
                }
            });
        }
        for (Thread worker : workers) {
            worker.join();
        }
        Throwable error = failure.get();
        if (error != null) {
            throw new IllegalStateException("a body failed: " + error, error);
        }
        return (List<R>) Arrays.asList(out);
    }

    /**
     * {@code inputs.parallelStream().map(body).toList()} on the common pool.
     *
     * @param inputs the inputs
     * @param body the body
     * @param <T> input type
     * @param <R> result type
     * @return the results
     */
    public static <T, R> List<R> parallelStream(List<T> inputs, Function<? super T, ? extends R> body) {
        return inputs.parallelStream().<R>map(body).toList();
    }

    /**
     * {@link ExecutorService#invokeAll} with one task per input.
     *
     * @param pool the pool
     * @param inputs the inputs
     * @param body the body
     * @param <T> input type
     * @param <R> result type
     * @return the results
     * @throws Exception when a task failed
     */
    public static <T, R> List<R> invokeAll(ExecutorService pool, List<T> inputs, Function<? super T, ? extends R> body)
            throws Exception {
        List<Callable<R>> tasks = new ArrayList<>(inputs.size());
        for (T input : inputs) {
            tasks.add(() -> body.apply(input));
        }
        List<Future<R>> futures = pool.invokeAll(tasks);
        List<R> out = new ArrayList<>(inputs.size());
        for (Future<R> future : futures) {
            out.add(unwrap(future));
        }
        return out;
    }

    /**
     * {@link CompletableFuture#supplyAsync} per input on a pool, then a join of all of them.
     *
     * @param pool the pool
     * @param inputs the inputs
     * @param body the body
     * @param <T> input type
     * @param <R> result type
     * @return the results
     */
    public static <T, R> List<R> completableFutures(
            Executor pool, List<T> inputs, Function<? super T, ? extends R> body) {
        List<CompletableFuture<R>> futures = new ArrayList<>(inputs.size());
        for (T input : inputs) {
            futures.add(CompletableFuture.supplyAsync(() -> body.apply(input), pool));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        List<R> out = new ArrayList<>(inputs.size());
        for (CompletableFuture<R> future : futures) {
            out.add(future.join());
        }
        return out;
    }

    /**
     * parallel-collectors, one task per input: {@code ParallelCollectors.parallel(body, toList(), pool, n)}.
     *
     * @param pool the pool
     * @param parallelism tasks at once
     * @param inputs the inputs
     * @param body the body
     * @param <T> input type
     * @param <R> result type
     * @return the results
     */
    public static <T, R> List<R> parallelCollectors(
            Executor pool, int parallelism, List<T> inputs, Function<? super T, ? extends R> body) {
        return inputs.stream()
                .collect(ParallelCollectors.parallel(body, Collectors.<R>toList(), pool, parallelism))
                .join();
    }

    /**
     * parallel-collectors with its defaults: one virtual thread per input, no limit.
     *
     * @param inputs the inputs
     * @param body the body
     * @param <T> input type
     * @param <R> result type
     * @return the results
     */
    public static <T, R> List<R> parallelCollectorsVirtual(List<T> inputs, Function<? super T, ? extends R> body) {
        return inputs.stream()
                .collect(ParallelCollectors.parallel(body, Collectors.<R>toList()))
                .join();
    }

    /**
     * parallel-collectors batched: the inputs are split into {@code parallelism} batches up front.
     *
     * @param pool the pool
     * @param parallelism batches
     * @param inputs the inputs
     * @param body the body
     * @param <T> input type
     * @param <R> result type
     * @return the results
     */
    public static <T, R> List<R> parallelCollectorsBatched(
            Executor pool, int parallelism, List<T> inputs, Function<? super T, ? extends R> body) {
        return inputs.stream()
                .collect(ParallelCollectors.Batching.parallel(body, Collectors.<R>toList(), pool, parallelism))
                .join();
    }

    /**
     * Reactor {@code ParallelFlux}: {@code Flux.fromIterable(inputs).parallel(rails).runOn(scheduler).map(body)},
     * merged back with {@code sequential()}. The results come in completion order, not input order.
     *
     * @param scheduler where the rails run
     * @param rails the number of rails
     * @param inputs the inputs
     * @param body the body
     * @param <T> input type
     * @param <R> result type
     * @return the results, unordered
     */
    public static <T, R> List<R> reactorUnordered(
            Scheduler scheduler, int rails, List<T> inputs, Function<? super T, ? extends R> body) {
        List<R> out = Flux.fromIterable(inputs)
                .parallel(rails)
                .runOn(scheduler)
                .<R>map(body)
                .sequential()
                .collectList()
                .block();
        if (out == null) {
            throw new IllegalStateException("Reactor returned no list");
        }
        return out;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Lazy, ordered streams of results (workload 4): each sums what it receives, in input order.

    /**
     * A plain loop over an iterator.
     *
     * @param inputs the inputs
     * @param body the body
     * @param sink receives each result in order
     */
    public static void plainLoopStream(Iterator<Long> inputs, Function<Long, Long> body, LongConsumer sink) {
        while (inputs.hasNext()) {
            sink.accept(body.apply(inputs.next()));
        }
    }

    /**
     * A parallel stream over an iterator of unknown size, consumed with {@code forEachOrdered}.
     *
     * @param inputs the inputs
     * @param body the body
     * @param sink receives each result in order
     */
    public static void parallelStreamOrdered(Iterator<Long> inputs, Function<Long, Long> body, LongConsumer sink) {
        StreamSupport.stream(Spliterators.spliteratorUnknownSize(inputs, Spliterator.ORDERED), true)
                .map(body)
                .forEachOrdered(sink::accept);
    }

    /**
     * parallel-collectors' ordered streaming collector, batched.
     *
     * @param pool the pool
     * @param parallelism batches
     * @param inputs the inputs
     * @param body the body
     * @param sink receives each result in order
     */
    public static void parallelCollectorsOrdered(
            Executor pool, int parallelism, Iterator<Long> inputs, Function<Long, Long> body, LongConsumer sink) {
        Stream<Long> source =
                StreamSupport.stream(Spliterators.spliteratorUnknownSize(inputs, Spliterator.ORDERED), false);
        source.collect(ParallelCollectors.Batching.parallelToOrderedStream(body, pool, parallelism))
                .forEach(sink::accept);
    }

    /**
     * Reactor {@code ParallelFlux} merged back in order with {@code ordered(comparator)}; correct here because the
     * body is increasing, so ordering by value is ordering by input.
     *
     * @param scheduler where the rails run
     * @param rails the number of rails
     * @param inputs the inputs
     * @param body the body (increasing)
     * @param sink receives each result in order
     */
    public static void reactorOrdered(
            Scheduler scheduler, int rails, Iterable<Long> inputs, Function<Long, Long> body, LongConsumer sink) {
        Flux.fromIterable(inputs)
                .parallel(rails)
                .runOn(scheduler)
                .map(body)
                .ordered(Comparator.naturalOrder())
                .doOnNext(sink::accept)
                .blockLast();
    }

    private static <R> R unwrap(Future<R> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
