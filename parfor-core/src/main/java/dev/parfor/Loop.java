package dev.parfor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loop's options, then a terminal that runs it. Each option may be set once; options that configuration sets
 * for this loop's name beat the ones set here. Not thread-safe: build and run it on one thread. A {@code Loop} may
 * run several times; each terminal call is a new run.
 *
 * <pre>{@code
 * LoopResult<Report> reports = parfor.loop("render-reports")
 *         .engine("virtual").parallelism(64)
 *         .onError(ErrorPolicy.COLLECT).retries(2, Duration.ofMillis(100))
 *         .timeout(Duration.ofSeconds(30)).taskTimeout(Duration.ofSeconds(5))
 *         .run(customers, templates, (customer, t) -> render(customer, t));
 * }</pre>
 */
public final class Loop {

    private static final Logger log = LoggerFactory.getLogger(Loop.class);
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final ParallelFor owner;
    private final @Nullable String name;
    private @Nullable String engine;
    private @Nullable Integer parallelism;
    private @Nullable Integer chunkSize;
    private @Nullable ErrorPolicy onError;
    private @Nullable Integer retries;
    private @Nullable Duration backoff;
    private @Nullable Predicate<? super Throwable> retryOn;
    private @Nullable Duration timeout;
    private @Nullable Duration taskTimeout;
    private @Nullable ProgressListener progress;
    private @Nullable Duration progressInterval;
    private @Nullable Object fallback;
    private boolean fallbackSet;
    // The class of the user's body: one per call site for lambdas and method references, so it keys the cache of
    // names of unnamed loops.
    private @Nullable Class<?> bodyClass;

    Loop(ParallelFor owner, @Nullable String name) {
        this.owner = owner;
        this.name = name;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Options

    /**
     * Runs the loop on another engine.
     *
     * @param engine a registered engine's name
     * @return this loop
     * @throws IllegalArgumentException when no engine has that name (the message lists the known ones)
     * @throws IllegalStateException when already set
     */
    public Loop engine(String engine) {
        Checks.unset(this.engine, "engine");
        owner.engine(Checks.name(engine, "engine"));
        this.engine = engine;
        return this;
    }

    /**
     * Limits how many tasks of this loop run at once (default: the engine's parallelism).
     *
     * @param parallelism at least 1
     * @return this loop
     * @throws IllegalArgumentException when below 1
     * @throws IllegalStateException when already set
     */
    public Loop parallelism(int parallelism) {
        Checks.unset(this.parallelism, "parallelism");
        this.parallelism = Checks.positive(parallelism, "parallelism");
        return this;
    }

    /**
     * Fixes how many inputs each task runs. By default the size is automatic: tiny bodies are batched, slow ones
     * run one per task.
     *
     * @param chunkSize at least 1
     * @return this loop
     * @throws IllegalArgumentException when below 1
     * @throws IllegalStateException when already set
     */
    public Loop chunkSize(int chunkSize) {
        Checks.unset(this.chunkSize, "chunkSize");
        this.chunkSize = Checks.positive(chunkSize, "chunkSize");
        return this;
    }

    /**
     * Chooses what a failure does (default {@link ErrorPolicy#FAIL_FAST}).
     *
     * @param policy the policy
     * @return this loop
     * @throws IllegalStateException when already set
     */
    public Loop onError(ErrorPolicy policy) {
        Checks.unset(this.onError, "onError");
        this.onError = Checks.notNull(policy, "policy");
        return this;
    }

    /**
     * The value {@link #map} puts in a failed input's slot under {@link ErrorPolicy#COLLECT} (default
     * {@code null}). It must be of the loop's result type.
     *
     * @param fallback the value
     * @return this loop
     * @throws IllegalStateException when already set
     */
    public Loop fallback(@Nullable Object fallback) {
        if (fallbackSet) {
            throw new IllegalStateException(
                    "option 'fallback' is already set to " + this.fallback + "; set each option once per loop");
        }
        this.fallback = fallback;
        this.fallbackSet = true;
        return this;
    }

    /**
     * Tries a failed input again, up to {@code retries} more times, pausing {@code backoff} before the first retry
     * and twice as long before each further one. Only the failed input runs again.
     *
     * @param retries 0 or more
     * @param backoff the first pause, not negative ({@code Duration.ZERO} for none)
     * @return this loop
     * @throws IllegalArgumentException when negative
     * @throws IllegalStateException when already set
     */
    public Loop retries(int retries, Duration backoff) {
        Checks.unset(this.retries, "retries");
        this.retries = Checks.notNegative(retries, "retries");
        this.backoff = Checks.notNegative(backoff, "backoff");
        return this;
    }

    /**
     * Chooses which failures are retried (default: every {@link Exception}, no {@link Error}).
     *
     * @param retryable returns {@code true} for an exception worth another attempt
     * @return this loop
     * @throws IllegalStateException when already set
     */
    public Loop retryOn(Predicate<? super Throwable> retryable) {
        Checks.unset(this.retryOn, "retryOn");
        this.retryOn = Checks.notNull(retryable, "retryable");
        return this;
    }

    /**
     * Limits the time of the whole loop. When it passes, running tasks are interrupted and the loop throws a
     * {@link ParallelForException} with outcome {@link LoopOutcome#TIMEOUT} without waiting for them. A body that
     * ignores interrupts keeps its thread busy until it returns; its result is dropped.
     *
     * @param timeout positive
     * @return this loop
     * @throws IllegalArgumentException when zero or negative
     * @throws IllegalStateException when already set
     */
    public Loop timeout(Duration timeout) {
        Checks.unset(this.timeout, "timeout");
        this.timeout = Checks.positive(timeout, "timeout");
        return this;
    }

    /**
     * Limits the time of one input's task. A task that overruns is interrupted and fails with a
     * {@link java.util.concurrent.TimeoutException} (retried if retries are set); the rest of its chunk runs
     * again elsewhere.
     *
     * @param taskTimeout positive
     * @return this loop
     * @throws IllegalArgumentException when zero or negative
     * @throws IllegalStateException when already set
     */
    public Loop taskTimeout(Duration taskTimeout) {
        Checks.unset(this.taskTimeout, "taskTimeout");
        this.taskTimeout = Checks.positive(taskTimeout, "taskTimeout");
        return this;
    }

    /**
     * Reports progress to {@code listener} about once a second and once at the end.
     *
     * @param listener the listener, for example {@link ProgressListener#logging()}
     * @return this loop
     * @throws IllegalStateException when already set
     */
    public Loop progress(ProgressListener listener) {
        Checks.unset(this.progress, "progress");
        this.progress = Checks.notNull(listener, "listener");
        return this;
    }

    /**
     * Reports progress to {@code listener} at most once per {@code interval} and once at the end.
     *
     * @param listener the listener
     * @param interval positive
     * @return this loop
     * @throws IllegalStateException when already set
     */
    public Loop progress(ProgressListener listener, Duration interval) {
        progress(listener);
        this.progressInterval = Checks.positive(interval, "interval");
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Terminals: map

    /**
     * Applies {@code body} to every input and returns the results in input order.
     *
     * @param inputs the inputs, read once
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return one result per input; under {@link ErrorPolicy#COLLECT} failed slots hold the fallback
     * @throws ParallelForException under {@link ErrorPolicy#FAIL_FAST} when an input fails, and on timeout or
     *     interrupt
     */
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return this.<R>collect(source(inputs, "inputs"), task(body), null).values();
    }

    /**
     * Applies {@code body} to every input of a stream, read lazily.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return one result per input, in input order
     * @throws ParallelForException as {@link #map(Iterable, Body)}
     */
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Stream<? extends T> inputs, Body<? super T, ? extends R> body) {
        return this.<R>collect(source(inputs, "inputs"), task(body), null).values();
    }

    /**
     * Applies {@code body} to every input of an iterator, read lazily.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return one result per input, in input order
     * @throws ParallelForException as {@link #map(Iterable, Body)}
     */
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Iterator<? extends T> inputs, Body<? super T, ? extends R> body) {
        return this.<R>collect(source(inputs, "inputs"), task(body), null).values();
    }

    /**
     * Applies {@code body} to every input with a shared context; on local engines every task gets the same
     * instance.
     *
     * @param inputs the inputs
     * @param context what every task shares
     * @param body what runs for one input
     * @param <T> the input type
     * @param <C> the context type
     * @param <R> the result type
     * @return one result per input, in input order
     * @throws ParallelForException as {@link #map(Iterable, Body)}
     */
    public <T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Iterable<? extends T> inputs, C context, Body.WithContext<? super T, ? super C, ? extends R> body) {
        return this.<R>collect(source(inputs, "inputs"), task(body), context).values();
    }

    /**
     * Applies {@code body} to every input of a stream with a shared context.
     *
     * @param inputs the inputs
     * @param context what every task shares
     * @param body what runs for one input
     * @param <T> the input type
     * @param <C> the context type
     * @param <R> the result type
     * @return one result per input, in input order
     * @throws ParallelForException as {@link #map(Iterable, Body)}
     */
    public <T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Stream<? extends T> inputs, C context, Body.WithContext<? super T, ? super C, ? extends R> body) {
        return this.<R>collect(source(inputs, "inputs"), task(body), context).values();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Terminals: run

    /**
     * Runs the loop and returns values and failures. Use it with {@link ErrorPolicy#COLLECT} to see every failure.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return the values (failed slots hold the fallback) and the failures, each at its index
     * @throws ParallelForException under {@link ErrorPolicy#FAIL_FAST} when an input fails, and on timeout or
     *     interrupt
     */
    public <T extends @Nullable Object, R extends @Nullable Object> LoopResult<R> run(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return this.<R>collect(source(inputs, "inputs"), task(body), null);
    }

    /**
     * Runs the loop over a stream and returns values and failures.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return the values and the failures
     * @throws ParallelForException as {@link #run(Iterable, Body)}
     */
    public <T extends @Nullable Object, R extends @Nullable Object> LoopResult<R> run(
            Stream<? extends T> inputs, Body<? super T, ? extends R> body) {
        return this.<R>collect(source(inputs, "inputs"), task(body), null);
    }

    /**
     * Runs the loop with a shared context and returns values and failures.
     *
     * @param inputs the inputs
     * @param context what every task shares
     * @param body what runs for one input
     * @param <T> the input type
     * @param <C> the context type
     * @param <R> the result type
     * @return the values and the failures
     * @throws ParallelForException as {@link #run(Iterable, Body)}
     */
    public <T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object> LoopResult<R> run(
            Iterable<? extends T> inputs, C context, Body.WithContext<? super T, ? super C, ? extends R> body) {
        return this.<R>collect(source(inputs, "inputs"), task(body), context);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Terminals: forEach

    /**
     * Runs {@code body} for every input. Results are not kept, so any number of inputs runs in bounded memory.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @throws ParallelForException when an input fails (under {@link ErrorPolicy#COLLECT}: after every input ran,
     *     naming the first failure with the others suppressed), and on timeout or interrupt
     */
    public <T extends @Nullable Object> void forEach(Iterable<? extends T> inputs, Body.Action<? super T> body) {
        drainAll(source(inputs, "inputs"), action(body));
    }

    /**
     * Runs {@code body} for every input of a stream, read lazily.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @throws ParallelForException as {@link #forEach(Iterable, Body.Action)}
     */
    public <T extends @Nullable Object> void forEach(Stream<? extends T> inputs, Body.Action<? super T> body) {
        drainAll(source(inputs, "inputs"), action(body));
    }

    /**
     * Runs {@code body} for every input of an iterator, read lazily.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @throws ParallelForException as {@link #forEach(Iterable, Body.Action)}
     */
    public <T extends @Nullable Object> void forEach(Iterator<? extends T> inputs, Body.Action<? super T> body) {
        drainAll(source(inputs, "inputs"), action(body));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Terminals: streams

    /**
     * Runs the loop lazily and returns its results as a stream in input order. Inputs are read as the stream is
     * consumed, and only a bounded window of inputs and results is held, so any number of inputs streams through a
     * small heap. Close the stream (try-with-resources) to cancel what is left when not consuming it to the end.
     *
     * @param inputs the inputs, read lazily
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return a sequential stream of the results, in input order
     * @throws ParallelForException while consuming, when an input fails (under {@link ErrorPolicy#COLLECT}: at the
     *     end, after the fallback was emitted for each failed input), and on timeout or interrupt
     */
    public <T extends @Nullable Object, R extends @Nullable Object> Stream<R> stream(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return resultStream(source(inputs, "inputs"), task(body), null, LoopRun.Mode.ORDERED);
    }

    /**
     * Runs the loop lazily over a stream and returns its results in input order.
     *
     * @param inputs the inputs, read lazily
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return a stream of the results, in input order
     * @throws ParallelForException as {@link #stream(Iterable, Body)}
     */
    public <T extends @Nullable Object, R extends @Nullable Object> Stream<R> stream(
            Stream<? extends T> inputs, Body<? super T, ? extends R> body) {
        return resultStream(source(inputs, "inputs"), task(body), null, LoopRun.Mode.ORDERED);
    }

    /**
     * Runs the loop lazily over an iterator and returns its results in input order.
     *
     * @param inputs the inputs, read lazily
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return a stream of the results, in input order
     * @throws ParallelForException as {@link #stream(Iterable, Body)}
     */
    public <T extends @Nullable Object, R extends @Nullable Object> Stream<R> stream(
            Iterator<? extends T> inputs, Body<? super T, ? extends R> body) {
        return resultStream(source(inputs, "inputs"), task(body), null, LoopRun.Mode.ORDERED);
    }

    /**
     * Runs the loop lazily with a shared context and returns its results in input order.
     *
     * @param inputs the inputs, read lazily
     * @param context what every task shares
     * @param body what runs for one input
     * @param <T> the input type
     * @param <C> the context type
     * @param <R> the result type
     * @return a stream of the results, in input order
     * @throws ParallelForException as {@link #stream(Iterable, Body)}
     */
    public <T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object> Stream<R> stream(
            Iterable<? extends T> inputs, C context, Body.WithContext<? super T, ? super C, ? extends R> body) {
        return resultStream(source(inputs, "inputs"), task(body), context, LoopRun.Mode.ORDERED);
    }

    /**
     * Runs the loop lazily and returns its results in the order they complete, so a slow input does not hold back
     * the others. Memory is bounded as for {@link #stream(Iterable, Body)}.
     *
     * @param inputs the inputs, read lazily
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return a stream of the results, in completion order
     * @throws ParallelForException as {@link #stream(Iterable, Body)}
     */
    public <T extends @Nullable Object, R extends @Nullable Object> Stream<R> streamAsCompleted(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return resultStream(source(inputs, "inputs"), task(body), null, LoopRun.Mode.UNORDERED);
    }

    /**
     * Runs the loop lazily over a stream and returns its results in completion order.
     *
     * @param inputs the inputs, read lazily
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return a stream of the results, in completion order
     * @throws ParallelForException as {@link #stream(Iterable, Body)}
     */
    public <T extends @Nullable Object, R extends @Nullable Object> Stream<R> streamAsCompleted(
            Stream<? extends T> inputs, Body<? super T, ? extends R> body) {
        return resultStream(source(inputs, "inputs"), task(body), null, LoopRun.Mode.UNORDERED);
    }

    /**
     * Runs the loop lazily over an iterator and returns its results in completion order.
     *
     * @param inputs the inputs, read lazily
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return a stream of the results, in completion order
     * @throws ParallelForException as {@link #stream(Iterable, Body)}
     */
    public <T extends @Nullable Object, R extends @Nullable Object> Stream<R> streamAsCompleted(
            Iterator<? extends T> inputs, Body<? super T, ? extends R> body) {
        return resultStream(source(inputs, "inputs"), task(body), null, LoopRun.Mode.UNORDERED);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Terminals: other shapes

    /**
     * Applies {@code body} to every input and its index.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return one result per input, in input order
     * @throws ParallelForException as {@link #map(Iterable, Body)}
     */
    @SuppressWarnings("unchecked")
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> mapIndexed(
            Iterable<? extends T> inputs, Body.Indexed<? super T, ? extends R> body) {
        Checks.notNull(body, "body");
        LoopRun.Source source = source(inputs, "inputs");
        Chunk.Task task = (index, input, context) -> body.apply(index, (T) input);
        return this.<R>collect(source, task, null).values();
    }

    /**
     * Applies {@code body} to every pair of the Cartesian product of {@code as} and {@code bs}, row-major.
     *
     * @param as the first inputs
     * @param bs the second inputs
     * @param body what runs for one pair
     * @param <A> the first input type
     * @param <B> the second input type
     * @param <R> the result type
     * @return one result per pair, row-major
     * @throws ParallelForException as {@link #map(Iterable, Body)}; a failure's input is the pair as a list
     */
    @SuppressWarnings("unchecked")
    public <A extends @Nullable Object, B extends @Nullable Object, R extends @Nullable Object> List<R> product(
            Iterable<? extends A> as, Iterable<? extends B> bs, Body.Pair<? super A, ? super B, ? extends R> body) {
        Checks.notNull(as, "as");
        Checks.notNull(bs, "bs");
        Checks.notNull(body, "body");
        Chunk.Task task = (index, input, context) -> {
            List<?> pair = (List<?>) input;
            return body.apply((A) pair.get(0), (B) pair.get(1));
        };
        return this.<R>collect(Product.of(List.of(as, bs)), task, null).values();
    }

    /**
     * Applies {@code body} to every combination of the axes, row-major (the last axis varies fastest).
     *
     * @param axes the axes, at least one
     * @param body what runs for one combination, given as a list with one element per axis
     * @param <R> the result type
     * @return one result per combination, row-major
     * @throws ParallelForException as {@link #map(Iterable, Body)}
     */
    @SuppressWarnings("unchecked")
    public <R extends @Nullable Object> List<R> product(
            List<? extends Iterable<?>> axes, Body<List<@Nullable Object>, ? extends R> body) {
        Checks.notNull(axes, "axes");
        Checks.notNull(body, "body");
        if (axes.isEmpty()) {
            throw new IllegalArgumentException("'axes' must hold at least one axis but was empty");
        }
        for (int i = 0; i < axes.size(); i++) {
            Checks.notNull(axes.get(i), "axes[" + i + "]");
        }
        Chunk.Task task = (index, input, context) -> body.apply((List<@Nullable Object>) input);
        return this.<R>collect(Product.of(axes), task, null).values();
    }

    /**
     * Splits the inputs into {@code chunks} contiguous chunks of nearly equal size, applies {@code body} to each in
     * parallel and concatenates the results in input order.
     *
     * @param inputs the inputs
     * @param chunks how many chunks, at least 1 (fewer when there are fewer inputs)
     * @param body what runs for one chunk
     * @param <T> the input type
     * @param <R> the result type
     * @return the results of every chunk, concatenated in chunk order
     * @throws IllegalArgumentException when {@code chunks} is below 1
     * @throws ParallelForException as {@link #map(Iterable, Body)}; a failure's index is the chunk's number
     */
    @SuppressWarnings("unchecked")
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> mapChunks(
            Iterable<? extends T> inputs, int chunks, Body.Chunked<T, ? extends R> body) {
        Checks.notNull(inputs, "inputs");
        Checks.positive(chunks, "chunks");
        Checks.notNull(body, "body");
        List<T> all = new ArrayList<>();
        inputs.forEach(all::add);
        int count = Math.min(chunks, all.size());
        List<List<T>> parts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            // Spread the remainder over the first chunks, so sizes differ by at most one.
            int from = (int) ((long) all.size() * i / count);
            int to = (int) ((long) all.size() * (i + 1) / count);
            parts.add(new ArrayList<>(all.subList(from, to)));
        }
        Chunk.Task task = (index, input, context) -> {
            List<? extends R> result = body.apply((List<T>) input);
            if (result == null) {
                throw new NullPointerException("the body returned null for chunk #" + index + "; return a list");
            }
            return result;
        };
        // Each chunk is one task, since the caller chose the split (unless a chunk size was set explicitly).
        List<List<? extends R>> results = this.<List<? extends R>>collect(
                        new LoopRun.Source(parts.iterator(), parts.size()), task, null, 1)
                .values();
        List<R> flat = new ArrayList<>(all.size());
        for (List<? extends R> part : results) {
            if (part != null) {
                flat.addAll(part);
            }
        }
        return flat;
    }

    /**
     * Calls a public method of {@code target} once per input; see
     * {@link ParallelFor#invoke(Object, String, Iterable, Map)}.
     *
     * @param target the object whose method is called
     * @param method the method's name
     * @param inputs one argument map (by parameter name) or list (positional) per call
     * @param context arguments shared by every call, by parameter name
     * @return the return values, in input order
     * @throws IllegalArgumentException for an unknown method or a missing, unknown or mistyped argument
     * @throws ParallelForException when a call fails
     */
    public List<@Nullable Object> invoke(
            Object target, String method, Iterable<?> inputs, Map<String, ? extends @Nullable Object> context) {
        Invoker invoker = Invoker.of(target, method);
        Checks.notNull(inputs, "inputs");
        Checks.notNull(context, "context");
        List<@Nullable Object[]> calls = new ArrayList<>();
        long index = 0;
        for (Object input : inputs) {
            calls.add(invoker.arguments(index++, input, context));
        }
        Chunk.Task task = (i, input, ctx) -> invoker.call((Object[]) input);
        return this.<Object>collect(new LoopRun.Source(calls.iterator(), calls.size()), task, null)
                .values();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Running

    private <R extends @Nullable Object> LoopResult<R> collect(
            LoopRun.Source source, Chunk.Task task, @Nullable Object context) {
        return collect(source, task, context, 0);
    }

    /** Runs a loop to its end; {@code defaultChunkSize} applies when no layer sets one (0: automatic). */
    private <R extends @Nullable Object> LoopResult<R> collect(
            LoopRun.Source source, Chunk.Task task, @Nullable Object context, int defaultChunkSize) {
        LoopRun<Object, R> run = newRun(source, task, context, LoopRun.Mode.ALL, defaultChunkSize);
        run.start();
        List<TaskFailure> failures = new ArrayList<>();
        List<R> values = run.collect(fallback, failures);
        if (!failures.isEmpty()) {
            log.debug(
                    "loop '{}': {} of {} inputs failed; first: {}",
                    run.info.name(),
                    failures.size(),
                    values.size(),
                    failures.get(0));
        }
        return new LoopResult<>(run.info.name(), values, failures);
    }

    private void drainAll(LoopRun.Source source, Chunk.Task task) {
        LoopRun<Object, Object> run = newRun(source, task, null, LoopRun.Mode.UNORDERED);
        run.start();
        List<LoopRun.Slot> batch = new ArrayList<>(256);
        long count = 0;
        while (true) {
            batch.clear();
            boolean more = run.awaitSlots(batch, 4096);
            count += batch.size();
            if (!more) {
                break;
            }
        }
        new LoopResult<>(run.info.name(), new CountOnlyList(count), run.sortedFailures()).orThrow();
    }

    @SuppressWarnings("unchecked")
    private <R extends @Nullable Object> Stream<R> resultStream(
            LoopRun.Source source, Chunk.Task task, @Nullable Object context, LoopRun.Mode mode) {
        ResultSpliterator<R> spliterator = new ResultSpliterator<>(() -> newRun(source, task, context, mode), fallback);
        return StreamSupport.stream(spliterator, false).onClose(spliterator::close);
    }

    private <R extends @Nullable Object> LoopRun<Object, R> newRun(
            LoopRun.Source source, Chunk.Task task, @Nullable Object context, LoopRun.Mode mode) {
        return newRun(source, task, context, mode, 0);
    }

    private <R extends @Nullable Object> LoopRun<Object, R> newRun(
            LoopRun.Source source, Chunk.Task task, @Nullable Object context, LoopRun.Mode mode, int defaultChunkSize) {
        String loopName = name != null ? name : callerName(bodyClass);
        LoopOptions override = owner.loopOptions(loopName);
        String engineName = first(override.engine(), engine, owner.defaultEngine());
        Engine chosen = owner.engine(engineName);
        LoopOptions defaults = owner.engineDefaults(engineName);
        Integer overrideRetries = override.retries();
        Integer defaultRetries = defaults.retries();
        int retryCount;
        Duration retryBackoff;
        if (overrideRetries != null) {
            retryCount = overrideRetries;
            retryBackoff = orZero(override.backoff());
        } else if (retries != null) {
            retryCount = retries;
            retryBackoff = orZero(backoff);
        } else if (defaultRetries != null) {
            retryCount = defaultRetries;
            retryBackoff = orZero(defaults.backoff());
        } else {
            retryCount = 0;
            retryBackoff = Duration.ZERO;
        }
        Predicate<? super Throwable> retryable = retryOn != null ? retryOn : error -> error instanceof Exception;
        LoopRun.Settings settings = new LoopRun.Settings(
                first(override.parallelism(), parallelism, defaults.parallelism(), chosen.parallelism()),
                first(override.chunkSize(), chunkSize, defaults.chunkSize(), defaultChunkSize),
                first(override.onError(), onError, defaults.onError(), ErrorPolicy.FAIL_FAST),
                retryCount,
                retryBackoff,
                retryable::test,
                firstOrNull(override.timeout(), timeout, defaults.timeout()),
                firstOrNull(override.taskTimeout(), taskTimeout, defaults.taskTimeout()),
                progress != null ? progress : owner.defaultProgress(),
                progressInterval != null ? progressInterval : owner.progressInterval());
        return new LoopRun<>(owner, loopName, engineName, chosen, task, context, source, settings, mode);
    }

    @SafeVarargs
    private static <V> V first(@Nullable V... values) {
        for (V value : values) {
            if (value != null) {
                return value;
            }
        }
        throw new IllegalStateException("no value");
    }

    @SafeVarargs
    private static <V> @Nullable V firstOrNull(@Nullable V... values) {
        for (V value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static Duration orZero(@Nullable Duration duration) {
        return duration == null ? Duration.ZERO : duration;
    }

    @SuppressWarnings("unchecked")
    private <T> Chunk.Task task(Body<? super T, ?> body) {
        bodyClass = Checks.notNull(body, "body").getClass();
        return (index, input, context) -> body.apply((T) input);
    }

    @SuppressWarnings("unchecked")
    private <T, C> Chunk.Task task(Body.WithContext<? super T, ? super C, ?> body) {
        bodyClass = Checks.notNull(body, "body").getClass();
        return (index, input, context) -> body.apply((T) input, (C) context);
    }

    @SuppressWarnings("unchecked")
    private <T> Chunk.Task action(Body.Action<? super T> body) {
        bodyClass = Checks.notNull(body, "body").getClass();
        return (index, input, context) -> {
            body.accept((T) input);
            return null;
        };
    }

    static LoopRun.Source source(@Nullable Object inputs, String parameter) {
        Checks.notNull(inputs, parameter);
        if (inputs instanceof List<?> list && inputs instanceof java.util.RandomAccess) {
            return new LoopRun.Source(list.iterator(), list.size(), list);
        }
        if (inputs instanceof Collection<?> collection) {
            return new LoopRun.Source(collection.iterator(), collection.size());
        }
        if (inputs instanceof Iterable<?> iterable) {
            Spliterator<?> spliterator = iterable.spliterator();
            return new LoopRun.Source(Spliterators.iterator(spliterator), spliterator.getExactSizeIfKnown());
        }
        if (inputs instanceof Stream<?> stream) {
            Spliterator<?> spliterator = stream.spliterator();
            return new LoopRun.Source(Spliterators.iterator(spliterator), spliterator.getExactSizeIfKnown());
        }
        return new LoopRun.Source((Iterator<?>) inputs, -1);
    }

    /** Names of unnamed loops by body class, so that the stack is walked once per call site, not once per loop. */
    private static final ClassValue<java.util.concurrent.atomic.AtomicReference<@Nullable String>> NAMES =
            new ClassValue<>() {
                @Override
                protected java.util.concurrent.atomic.AtomicReference<@Nullable String> computeValue(Class<?> type) {
                    return new java.util.concurrent.atomic.AtomicReference<>();
                }
            };

    private static String callerName(@Nullable Class<?> bodyClass) {
        if (bodyClass == null || !bodyClass.isSynthetic() && !bodyClass.isHidden()) {
            return callerName(); // a named class may be used from many places
        }
        java.util.concurrent.atomic.AtomicReference<@Nullable String> cached = NAMES.get(bodyClass);
        String name = cached.get();
        if (name == null) {
            name = callerName();
            cached.set(name);
        }
        return name;
    }

    /** The name of the method that called into parfor: {@code SimpleClassName.method}. */
    private static String callerName() {
        return WALKER.walk(frames -> frames.filter(
                                f -> !f.getDeclaringClass().getPackageName().equals("dev.parfor"))
                        .findFirst())
                .map(f -> {
                    String method = f.getMethodName();
                    if (method.startsWith("lambda$")) {
                        int end = method.indexOf('$', 7);
                        method = end > 7 ? method.substring(7, end) : method;
                    }
                    String type = f.getDeclaringClass().getSimpleName();
                    if (type.isEmpty()) {
                        type = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1);
                    }
                    return type + "." + method;
                })
                .orElse("parfor");
    }

    /** Results of a forEach: only the count matters to {@link LoopResult}. */
    private static final class CountOnlyList extends java.util.AbstractList<@Nullable Object> {
        private final int size;

        CountOnlyList(long size) {
            this.size = (int) Math.min(size, Integer.MAX_VALUE);
        }

        @Override
        public @Nullable Object get(int index) {
            return null;
        }

        @Override
        public int size() {
            return size;
        }
    }

    /** Pulls results from a loop run that starts on the first pull, in batches to keep locking cheap. */
    private static final class ResultSpliterator<R> extends Spliterators.AbstractSpliterator<R> {
        private final java.util.function.Supplier<LoopRun<Object, R>> factory;
        private final @Nullable Object fallback;
        private final List<LoopRun.Slot> batch = new ArrayList<>(256);
        private @Nullable LoopRun<Object, R> run;
        private int next;
        private boolean finished;

        ResultSpliterator(java.util.function.Supplier<LoopRun<Object, R>> factory, @Nullable Object fallback) {
            super(Long.MAX_VALUE, Spliterator.ORDERED);
            this.factory = factory;
            this.fallback = fallback;
        }

        @Override
        @SuppressWarnings("unchecked")
        public boolean tryAdvance(Consumer<? super R> action) {
            if (next >= batch.size()) {
                if (finished) {
                    return false;
                }
                if (run == null) {
                    run = factory.get();
                    run.start();
                }
                batch.clear();
                next = 0;
                if (!run.awaitSlots(batch, 256)) {
                    finished = true;
                    if (batch.isEmpty()) {
                        // Under COLLECT, failures were emitted as the fallback; report them now, at the end.
                        List<TaskFailure> failures = run.sortedFailures();
                        if (!failures.isEmpty()) {
                            new LoopResult<>(run.info.name(), new CountOnlyList(0), failures).orThrow();
                        }
                        return false;
                    }
                }
            }
            LoopRun.Slot slot = batch.get(next++);
            action.accept((R) (slot.failure() == null ? slot.value() : fallback));
            return true;
        }

        void close() {
            if (run != null && !finished) {
                finished = true;
                run.cancel();
            }
        }
    }

    static final class Product {
        private Product() {}

        static LoopRun.Source of(List<? extends Iterable<?>> axes) {
            List<List<?>> lists = new ArrayList<>();
            long total = 1;
            for (Iterable<?> axis : axes) {
                List<Object> list = new ArrayList<>();
                axis.forEach(list::add);
                lists.add(list);
                total = Math.multiplyExact(total, list.size());
            }
            long size = total;
            Iterator<List<@Nullable Object>> combinations = new Iterator<>() {
                private long next;

                @Override
                public boolean hasNext() {
                    return next < size;
                }

                @Override
                public List<@Nullable Object> next() {
                    if (next >= size) {
                        throw new NoSuchElementException();
                    }
                    long rest = next++;
                    Object[] combination = new Object[lists.size()];
                    for (int axis = lists.size() - 1; axis >= 0; axis--) {
                        List<?> values = lists.get(axis);
                        combination[axis] = values.get((int) (rest % values.size()));
                        rest /= values.size();
                    }
                    return java.util.Arrays.asList(combination);
                }
            };
            return new LoopRun.Source(combinations, size);
        }
    }
}
