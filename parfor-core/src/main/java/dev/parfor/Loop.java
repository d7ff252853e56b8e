package dev.parfor;

import dev.parfor.spi.Chunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * One loop's options, then a terminal that runs it.
 *
 * <p><b>Options</b> are set once each and checked when set: a refused call changes nothing, a second call of the same
 * option is an {@link IllegalStateException}. Options that configuration sets for this loop's name beat the ones set
 * here; the defaults of the loop's engine fill in what neither sets. Not thread-safe: build and run it on one thread.
 * A {@code Loop} may run several times; each terminal call is a new run.
 *
 * <p>The same options serve as defaults: {@link ParallelFor.Builder#loop(String, java.util.function.Consumer)} and
 * {@link ParallelFor.Builder#engine(String, dev.parfor.spi.Engine, java.util.function.Consumer)} hand a {@code Loop}
 * that only records them; a terminal called on it throws an {@link IllegalStateException}.
 *
 * <p><b>Terminals</b> form a regular matrix: {@code map}, {@code run}, {@code forEach}, {@code stream}, {@code
 * streamAsCompleted} and {@code mapAsync} each take an {@link Iterable} of inputs, with or without a shared context.
 * Each blocks until the loop ends ({@code stream}s run as they are consumed, {@code mapAsync} returns a future). A
 * {@link Stream} is passed as {@code stream::iterator}, read once, and closed by its owner:
 *
 * <pre>{@code
 * try (Stream<Customer> customers = repository.streamAll()) {
 *     List<Report> reports = parfor.loop("reports").map(customers::iterator, this::render);
 * }
 * }</pre>
 *
 * <table>
 *   <caption>What a terminal does when inputs fail</caption>
 *   <tr><th>terminal</th><th>{@link ErrorPolicy#FAIL_FAST} (default)</th><th>{@link ErrorPolicy#COLLECT}</th></tr>
 *   <tr><td>{@code run}</td><td>throws at the first failure</td><td>returns every value and every failure in a
 *       {@link LoopResult}</td></tr>
 *   <tr><td>every other terminal</td><td>throws at the first failure</td><td>runs every input, then throws a
 *       {@link ParallelForException} (outcome {@link Outcome#PARTIAL}) carrying all failures</td></tr>
 * </table>
 *
 * <p><b>What holds on every engine</b> (the scheduler's contract with user code):
 *
 * <ol>
 *   <li>Every call into user code (bodies, input collections, iterators and streams, {@code toString} and
 *       {@code getMessage} used in messages, retry predicates, listeners, context propagators, the engine's executor)
 *       is fenced: whatever it throws, {@link Error}s included, becomes that input's failure or the loop's failure.
 *       The loop always ends, always leaves {@link ParallelFor#running()}, and listeners always see {@code
 *       loopFinished} after {@code loopStarted}.
 *   <li>No user code runs while the loop's lock is held, and none on parfor's timer thread.
 *   <li>Inputs of a random-access list are read by index on the workers; every other source (another collection,
 *       any {@code Iterable}, a stream passed as {@code stream::iterator}) is read lazily on the loop's own thread
 *       (the caller, the thread consuming the result stream, or {@code mapAsync}'s thread), so a source tied to the
 *       caller's thread, such as a Spring Data JPA {@code Stream} consumed inside the caller's transaction, works with
 *       every terminal but {@code mapAsync}. A read that blocks past the loop's {@link #timeout} is interrupted and
 *       the loop throws at its deadline; a source that ignores interrupts keeps the caller until it returns.
 *   <li>An input collection changed while the loop reads it makes the loop fail with a {@link
 *       java.util.ConcurrentModificationException} as the cause, naming the loop; a collection whose iterator yields
 *       more inputs than its {@code size()} said has every one of them processed. Never a lost or shifted value.
 *   <li>Nested loops complete at any depth on any engine, including executors that run tasks inline or on the
 *       caller; an executor service shut down by its owner ends the loop with a clear error within a second.
 *   <li>A body that throws {@link java.util.concurrent.CancellationException} fails that input; the caller's
 *       interrupt flag is set only when the caller was interrupted.
 *   <li>Optimisations keep every promise: a small loop run on the caller's thread still honours deadlines and events.
 *   <li>Durations are checked when set: longer than 100 years is refused, naming the parameter and the value.
 * </ol>
 */
public final class Loop {

    private final @Nullable LoopRuntime runtime;
    private final @Nullable String name;
    // What a Loop that records defaults belongs to, such as "loop 'reports'"; null for a Loop that runs.
    private final @Nullable String defaultsOf;
    private LoopOptions options = LoopOptions.none();
    private boolean recorded;

    Loop(LoopRuntime runtime, @Nullable String name) {
        this.runtime = runtime;
        this.name = name;
        this.defaultsOf = null;
    }

    private Loop(String defaultsOf) {
        this.runtime = null;
        this.name = null;
        this.defaultsOf = defaultsOf;
    }

    /**
     * Runs a builder's defaults consumer on a {@code Loop} that only records options, and returns them. Names of
     * engines and limits are checked by {@link ParallelFor.Builder#build()}, once every one is registered.
     */
    static LoopOptions record(String defaultsOf, java.util.function.Consumer<? super Loop> defaults) {
        Loop recorder = new Loop(defaultsOf);
        Checks.notNull(defaults, "defaults").accept(recorder);
        recorder.recorded = true;
        return recorder.options;
    }

    /** Refuses an option set on a defaults recorder after its consumer returned: it would be lost. */
    private void settable() {
        if (recorded) {
            throw new IllegalStateException("the defaults of " + defaultsOf + " were taken when its consumer returned;"
                    + " set every option inside the consumer");
        }
    }

    /** Refuses a terminal on a Loop that records defaults, naming the loop and the fix. */
    private LoopRuntime runtime() {
        if (runtime == null) {
            throw new IllegalStateException("the Loop given to the defaults of " + defaultsOf
                    + " only records options and cannot run; run loops on the built ParallelFor, for example"
                    + " parfor.loop(\"name\").map(inputs, body)");
        }
        return runtime;
    }

    /** The inputs of a terminal, checked after the loop itself. */
    private <I> I inputs(@Nullable I inputs) {
        runtime();
        return Checks.notNull(inputs, "inputs");
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
        settable();
        Checks.unset(options.engine, "engine");
        Checks.name(engine, "engine");
        if (runtime != null) {
            runtime.engine(engine);
        }
        options = options.engine(engine);
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
        settable();
        Checks.unset(options.parallelism, "parallelism");
        options = options.parallelism(parallelism);
        return this;
    }

    /**
     * Fixes how many inputs each task runs. By default the size is automatic: tiny bodies are batched, slow ones run
     * one per task.
     *
     * @param chunkSize at least 1
     * @return this loop
     * @throws IllegalArgumentException when below 1
     * @throws IllegalStateException when already set
     */
    public Loop chunkSize(int chunkSize) {
        settable();
        Checks.unset(options.chunkSize, "chunkSize");
        options = options.chunkSize(chunkSize);
        return this;
    }

    /**
     * Chooses what a failure does (default {@link ErrorPolicy#FAIL_FAST}); see the table above.
     *
     * @param policy the policy
     * @return this loop
     * @throws IllegalStateException when already set
     */
    public Loop onError(ErrorPolicy policy) {
        settable();
        Checks.unset(options.onError, "onError");
        options = options.onError(Checks.notNull(policy, "policy"));
        return this;
    }

    /**
     * Tries a failed input again, up to {@code retries} more times, pausing {@code backoff} before the first retry
     * and twice as long before each further one. Only the failed input runs again.
     *
     * @param retries 0 or more
     * @param backoff the first pause, not negative ({@code Duration.ZERO} for none), at most 100 years
     * @return this loop
     * @throws IllegalArgumentException when negative or too long
     * @throws IllegalStateException when already set
     */
    public Loop retries(int retries, Duration backoff) {
        settable();
        Checks.unset(options.retries, "retries");
        options = options.retries(retries, backoff);
        return this;
    }

    /**
     * Shapes the pause between retries, as Spring Framework's {@code RetryPolicy} and Reactor's {@code
     * RetryBackoffSpec} do: the pause before retry {@code n} is {@code backoff * multiplier^(n-1)}, capped at {@code
     * maxBackoff}, then spread at random by up to {@code jitter} of itself either way (and capped again). Without this
     * option the multiplier is 2, there is no cap and no jitter.
     *
     * @param multiplier how much each pause grows, at least 1
     * @param maxBackoff the longest pause, positive, at most 100 years
     * @param jitter the random spread as a fraction of the pause, from 0 to 1
     * @return this loop
     * @throws IllegalArgumentException when a value is out of range
     * @throws IllegalStateException when already set
     */
    public Loop backoff(double multiplier, Duration maxBackoff, double jitter) {
        settable();
        Checks.unset(options.backoffMultiplier, "backoff");
        options = options.backoff(multiplier, maxBackoff, jitter);
        return this;
    }

    /**
     * Makes every task of this loop take a permit of a named limit shared with other loops, so that together they
     * stay within what a downstream service allows (see {@link ParallelFor.Builder#limit}).
     *
     * @param limit a registered limit's name
     * @return this loop
     * @throws IllegalArgumentException when no limit has that name (the message lists the known ones)
     * @throws IllegalStateException when already set
     */
    public Loop limit(String limit) {
        settable();
        Checks.unset(options.limit, "limit");
        Checks.name(limit, "limit");
        if (runtime != null) {
            runtime.limit(limit);
        }
        options = options.limit(limit);
        return this;
    }

    /**
     * Chooses which failures are retried (default: every {@link Exception}, no {@link Error}). A predicate that throws
     * is logged and means "do not retry".
     *
     * @param retryable returns {@code true} for an exception worth another attempt
     * @return this loop
     * @throws IllegalStateException when already set
     */
    public Loop retryOn(Predicate<? super Throwable> retryable) {
        settable();
        Checks.unset(options.retryOn, "retryOn");
        options = options.retryOn(retryable);
        return this;
    }

    /**
     * Limits the time of the whole loop. When it passes, running tasks are interrupted and the loop throws a
     * {@link ParallelForException} with outcome {@link Outcome#TIMEOUT} without waiting for them. A body that
     * ignores interrupts keeps its thread busy until it returns; its result is dropped.
     *
     * @param timeout positive, at most 100 years
     * @return this loop
     * @throws IllegalArgumentException when not positive or too long
     * @throws IllegalStateException when already set
     */
    public Loop timeout(Duration timeout) {
        settable();
        Checks.unset(options.timeout, "timeout");
        options = options.timeout(timeout);
        return this;
    }

    /**
     * Limits the time of one input's task. A task that overruns is interrupted and fails with a
     * {@link java.util.concurrent.TimeoutException} at its deadline (retried if retries are set); the rest of its
     * chunk runs again elsewhere.
     *
     * @param taskTimeout positive, at most 100 years
     * @return this loop
     * @throws IllegalArgumentException when not positive or too long
     * @throws IllegalStateException when already set
     */
    public Loop taskTimeout(Duration taskTimeout) {
        settable();
        Checks.unset(options.taskTimeout, "taskTimeout");
        options = options.taskTimeout(taskTimeout);
        return this;
    }

    /**
     * Reports progress to {@code listener} at most once per {@code interval} while the loop runs, and once when it
     * ends (with {@link Progress#finished()} set), on the thread that waits for the loop; keep it quick. A snapshot's
     * {@code toString()} is a one-line report. Whatever the listener throws is logged and the loop goes on.
     *
     * @param listener the listener, for example {@code progress -> log.info("{}", progress)}
     * @param interval positive, at most 100 years
     * @return this loop
     * @throws IllegalStateException when already set
     */
    public Loop progress(Consumer<? super Progress> listener, Duration interval) {
        settable();
        Checks.unset(options.progress, "progress");
        options = options.progress(listener, interval);
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
     * @return one result per input, in input order; {@code null} results are kept
     * @throws ParallelForException when an input fails (see the table above), and on timeout or cancellation
     */
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return values(inputs(inputs), task(body), null);
    }

    /**
     * Applies {@code body} to every input with a shared context; on local engines every task gets the same instance.
     *
     * @param inputs the inputs, read once
     * @param context what every task shares, such as a large read-only data set
     * @param body what runs for one input
     * @param <T> the input type
     * @param <C> the context type
     * @param <R> the result type
     * @return one result per input, in input order
     * @throws ParallelForException as {@link #map(Iterable, Body)}
     */
    public <T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Iterable<? extends T> inputs, C context, Body.WithContext<? super T, ? super C, ? extends R> body) {
        return values(inputs(inputs), task(body), context);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Terminals: run

    /**
     * Runs the loop and returns values and failures: the terminal that hands failures back instead of throwing,
     * under {@link ErrorPolicy#COLLECT}.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return the values (failed slots hold {@code null}; see {@link LoopResult#valuesOr}) and the failures
     * @throws ParallelForException under {@link ErrorPolicy#FAIL_FAST} when an input fails, and on timeout or
     *     cancellation
     */
    public <T extends @Nullable Object, R extends @Nullable Object> LoopResult<R> run(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return result(inputs(inputs), task(body), null);
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
        return result(inputs(inputs), task(body), context);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Terminals: forEach

    /**
     * Runs {@code body} for every input. Results are not kept and inputs are read as room frees up, so any number of
     * inputs runs in bounded memory.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @throws ParallelForException when an input fails (see the table above), and on timeout or cancellation
     */
    public <T extends @Nullable Object> void forEach(Iterable<? extends T> inputs, Body.Action<? super T> body) {
        drain(inputs(inputs), action(body), null);
    }

    /**
     * Runs {@code body} for every input with a shared context.
     *
     * @param inputs the inputs
     * @param context what every task shares
     * @param body what runs for one input
     * @param <T> the input type
     * @param <C> the context type
     * @throws ParallelForException as {@link #forEach(Iterable, Body.Action)}
     */
    public <T extends @Nullable Object, C extends @Nullable Object> void forEach(
            Iterable<? extends T> inputs, C context, Body.ActionWithContext<? super T, ? super C> body) {
        drain(inputs(inputs), action(body), context);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Terminals: streams

    /**
     * Runs the loop lazily and returns its results as a stream in input order. Inputs are read as the stream is
     * consumed, on the consuming thread, and only a bounded window of inputs and results is held, so any number of
     * inputs streams through a small heap. Close the stream (try-with-resources) to cancel what is left when not
     * consuming it to the end.
     *
     * @param inputs the inputs, read lazily
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return a sequential stream of the results, in input order
     * @throws ParallelForException while consuming, when an input fails (under {@link ErrorPolicy#COLLECT}: at the
     *     end, after every successful value was emitted), and on timeout or cancellation
     */
    public <T extends @Nullable Object, R extends @Nullable Object> Stream<R> stream(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return results(inputs(inputs), task(body), null, Plan.Mode.ORDERED);
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
        return results(inputs(inputs), task(body), context, Plan.Mode.ORDERED);
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
        return results(inputs(inputs), task(body), null, Plan.Mode.COMPLETION);
    }

    /**
     * Runs the loop lazily with a shared context and returns its results in completion order.
     *
     * @param inputs the inputs, read lazily
     * @param context what every task shares
     * @param body what runs for one input
     * @param <T> the input type
     * @param <C> the context type
     * @param <R> the result type
     * @return a stream of the results, in completion order
     * @throws ParallelForException as {@link #stream(Iterable, Body)}
     */
    public <T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object>
            Stream<R> streamAsCompleted(
                    Iterable<? extends T> inputs, C context, Body.WithContext<? super T, ? super C, ? extends R> body) {
        return results(inputs(inputs), task(body), context, Plan.Mode.COMPLETION);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Terminals: asynchronous

    /**
     * Runs {@code map} on a virtual thread of its own and returns at once: the one asynchronous terminal. The future
     * completes with the values, or exceptionally with the {@link ParallelForException} {@code map} would have thrown:
     * under {@link ErrorPolicy#COLLECT}, after every input ran, with outcome {@link Outcome#PARTIAL} and every
     * failure in {@link ParallelForException#failures()}, so
     *
     * <pre>{@code
     * loop.onError(ErrorPolicy.COLLECT).mapAsync(inputs, body).exceptionally(e -> {
     *     if (e instanceof CompletionException c && c.getCause() instanceof ParallelForException p) {
     *         p.failures().forEach(failure -> log.warn("{} failed", failure.input(), failure.error()));
     *     }
     *     return List.of();
     * });
     * }</pre>
     *
     * <p>({@code join()} wraps it in a {@link java.util.concurrent.CompletionException}, {@code get()} in an {@link
     * java.util.concurrent.ExecutionException}.) {@code cancel(true)} cancels the loop (its running tasks are
     * interrupted). The caller's context (MDC, and what the propagators carry) is carried to that thread; lazy inputs
     * are read there, so a source tied to the caller's thread (a JPA {@code Stream} in its transaction) must be
     * collected to a list first.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return the future values, in input order
     */
    public <T extends @Nullable Object, R extends @Nullable Object> CompletableFuture<List<R>> mapAsync(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return async(inputs(inputs), task(body), null);
    }

    /**
     * Runs {@code map} with a shared context on a virtual thread of its own; see {@link #mapAsync(Iterable, Body)}.
     *
     * @param inputs the inputs
     * @param context what every task shares
     * @param body what runs for one input
     * @param <T> the input type
     * @param <C> the context type
     * @param <R> the result type
     * @return the future values, in input order
     */
    public <T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object>
            CompletableFuture<List<R>> mapAsync(
                    Iterable<? extends T> inputs, C context, Body.WithContext<? super T, ? super C, ? extends R> body) {
        return async(inputs(inputs), task(body), context);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Other shapes of the Python parfor family

    /**
     * Applies {@code body} to every pair of the Cartesian product of {@code as} and {@code bs}, row-major:
     * {@code (a0,b0), (a0,b1), ...} (parmap's {@code starmap} over a product).
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
            Iterable<? extends A> as,
            Iterable<? extends B> bs,
            Body.WithContext<? super A, ? super B, ? extends R> body) {
        runtime();
        Product pairs = Product.of(as, bs);
        Chunk.Task task = (index, input, context) -> {
            List<?> pair = (List<?>) input;
            return body.apply((A) pair.get(0), (B) pair.get(1));
        };
        return values(pairs, named(body, task), null);
    }

    /**
     * Splits the inputs into {@code chunks} contiguous chunks of nearly equal size, applies {@code body} to each in
     * parallel and concatenates the results in input order (parallelize's chunks).
     *
     * @param inputs the inputs
     * @param chunks how many chunks, at least 1 (fewer when there are fewer inputs)
     * @param body what runs for one chunk: given its inputs in input order, it returns its results
     * @param <T> the input type
     * @param <R> the result type
     * @return the results of every chunk, concatenated in chunk order
     * @throws IllegalArgumentException when {@code chunks} is below 1
     * @throws ParallelForException as {@link #map(Iterable, Body)}; a failure's index is the chunk's number and its
     *     input the chunk's inputs
     */
    @SuppressWarnings("unchecked")
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> mapChunks(
            Iterable<? extends T> inputs, int chunks, Body<List<T>, ? extends List<? extends R>> body) {
        inputs(inputs);
        Checks.positive(chunks, "chunks");
        Checks.notNull(body, "body");
        List<List<T>> parts = Product.split(inputs, chunks);
        Chunk.Task task = (index, input, context) -> {
            List<? extends R> result = body.apply((List<T>) input);
            if (result == null) {
                throw new NullPointerException("the body returned null for chunk #" + index + "; return a list");
            }
            return result;
        };
        // Each part is one task: the caller chose the split (unless a chunk size is set explicitly).
        List<List<? extends R>> results = run(parts, named(body, task), null, Plan.Mode.ALL, 1, true);
        List<R> flat = new ArrayList<>();
        for (List<? extends R> part : results) {
            flat.addAll(part);
        }
        return flat;
    }

    /**
     * Calls a public method of {@code target} once per input (PyParFor's named and positional inputs): each input is
     * a {@code Map} of arguments by parameter name or a {@code List} of positional arguments; {@code context} fills
     * the parameters an input leaves out, by name. Every input is checked before the first call.
     *
     * <pre>{@code
     * parfor.loop("render").invoke(reports, "render", List.of(Map.of("customer", 1), List.of(2, 2025)),
     *         Map.of("year", 2026));
     * }</pre>
     *
     * @param target the object whose method is called
     * @param method the method's name; it must be public
     * @param inputs one argument map or list per call
     * @param context arguments shared by every call, by parameter name
     * @return the return values, in input order ({@code null} for a void method)
     * @throws IllegalArgumentException for an unknown method, a missing, unknown or mistyped argument, or named
     *     arguments for a method compiled without {@code -parameters}
     * @throws ParallelForException when a call fails
     */
    public List<@Nullable Object> invoke(
            Object target, String method, Iterable<?> inputs, Map<String, ? extends @Nullable Object> context) {
        runtime();
        Invoker invoker = Invoker.of(target, method);
        inputs(inputs);
        Checks.notNull(context, "context");
        List<@Nullable Object[]> calls = new ArrayList<>();
        long index = 0;
        for (Object input : inputs) {
            calls.add(invoker.arguments(index++, input, context));
        }
        Chunk.Task task = (i, input, ctx) -> invoker.call((Object[]) input);
        return values(calls, task, null);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Running

    private <R> List<R> values(Object inputs, Chunk.Task task, @Nullable Object context) {
        return run(name(task), options, inputs, task, context, Plan.Mode.ALL, 0, true, started -> {});
    }

    private <R> List<R> run(
            Object inputs,
            Chunk.Task task,
            @Nullable Object context,
            Plan.Mode mode,
            int defaultChunkSize,
            boolean throwOnFailures) {
        return run(name(task), options, inputs, task, context, mode, defaultChunkSize, throwOnFailures, started -> {});
    }

    @SuppressWarnings("unchecked")
    private <R> List<R> run(
            String loopName,
            LoopOptions frozen,
            Object inputs,
            Chunk.Task task,
            @Nullable Object context,
            Plan.Mode mode,
            int defaultChunkSize,
            boolean throwOnFailures,
            Consumer<LoopRun> started) {
        LoopRun run = LoopRun.start(runtime(), loopName, frozen, inputs, task, context, mode, defaultChunkSize);
        started.accept(run);
        run.await(List.of(), 0);
        ParallelForException error = run.finish(throwOnFailures);
        if (error != null) {
            throw error;
        }
        return (List<R>) run.values();
    }

    @SuppressWarnings("unchecked")
    private <R extends @Nullable Object> LoopResult<R> result(
            Object inputs, Chunk.Task task, @Nullable Object context) {
        LoopRun run = LoopRun.start(runtime(), name(task), options, inputs, task, context, Plan.Mode.ALL, 0);
        run.await(List.of(), 0);
        run.finish(false);
        return new LoopResult<>(run.info.name(), (List<R>) run.values(), run.failures());
    }

    private void drain(Object inputs, Chunk.Task task, @Nullable Object context) {
        LoopRun run = LoopRun.start(runtime(), name(task), options, inputs, task, context, Plan.Mode.DISCARD, 0);
        List<@Nullable Object> none = new ArrayList<>(0);
        while (run.await(none, 0)) {
            none.clear();
        }
        ParallelForException error = run.finish(true);
        if (error != null) {
            throw error;
        }
    }

    /**
     * Runs a terminal on a virtual thread of its own. The name, options and caller's context are taken here, on the
     * caller's thread; the loop itself is started on the new thread, which becomes its consumer.
     */
    @SuppressWarnings("unchecked")
    private <V> CompletableFuture<V> async(Object inputs, Chunk.Task task, @Nullable Object context) {
        String loopName = name(task);
        LoopOptions frozen = options;
        AsyncLoop<V> future = new AsyncLoop<>();
        Contexts captured;
        try {
            captured = Contexts.capture(loopName, runtime().propagators);
        } catch (Contexts.CaptureFailed e) {
            future.completeExceptionally(
                    new ParallelForException(e.getMessage(), loopName, Outcome.FAILURE, e.getCause(), List.of()));
            return future;
        }
        Thread.ofVirtual().name("parfor-async-" + loopName).start(() -> {
            Runnable restore;
            try {
                restore = captured.install();
            } catch (Throwable e) {
                future.completeExceptionally(
                        LoopErrors.notStarted(loopName, "could not install the caller's context on its own thread", e));
                return;
            }
            try {
                Object value = run(loopName, frozen, inputs, task, context, Plan.Mode.ALL, 0, true, future::started);
                future.complete((V) value);
            } catch (Throwable e) {
                future.completeExceptionally(e);
            } finally {
                restore.run(); // logs what it cannot restore
            }
        });
        return future;
    }

    /** The future of an asynchronous terminal: cancelling it cancels the loop. */
    private static final class AsyncLoop<V> extends CompletableFuture<V> {
        private volatile @Nullable LoopRun run;
        private volatile boolean cancelled;

        void started(LoopRun started) {
            run = started;
            if (cancelled) {
                started.cancel("its CompletableFuture was cancelled");
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean done = super.cancel(mayInterruptIfRunning);
            if (done) {
                cancelled = true;
                LoopRun started = run;
                if (started != null) {
                    started.cancel("its CompletableFuture was cancelled");
                }
            }
            return done;
        }
    }

    private <R> Stream<R> results(Object inputs, Chunk.Task task, @Nullable Object context, Plan.Mode mode) {
        String loopName = name(task);
        LoopOptions frozen = options;
        ResultSpliterator<R> spliterator = new ResultSpliterator<>(
                () -> LoopRun.start(runtime(), loopName, frozen, inputs, task, context, mode, 0));
        return StreamSupport.stream(spliterator, false).onClose(spliterator::close);
    }

    // The user's body of the terminal being called: it names an unnamed loop after its call site.
    private @Nullable Object body;

    private String name(Chunk.Task task) {
        return name != null ? name : LoopNames.callerName(body);
    }

    private Chunk.Task named(Object body, Chunk.Task task) {
        this.body = Checks.notNull(body, "body");
        return task;
    }

    @SuppressWarnings("unchecked")
    private <T> Chunk.Task task(Body<? super T, ?> body) {
        return named(body, (index, input, context) -> body.apply((T) input));
    }

    @SuppressWarnings("unchecked")
    private <T, C> Chunk.Task task(Body.WithContext<? super T, ? super C, ?> body) {
        return named(body, (index, input, context) -> body.apply((T) input, (C) context));
    }

    @SuppressWarnings("unchecked")
    private <T> Chunk.Task action(Body.Action<? super T> body) {
        return named(body, (index, input, context) -> {
            body.accept((T) input);
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private <T, C> Chunk.Task action(Body.ActionWithContext<? super T, ? super C> body) {
        return named(body, (index, input, context) -> {
            body.accept((T) input, (C) context);
            return null;
        });
    }

    /** Pulls results from a loop run that starts on the first pull, in batches to keep locking cheap. */
    private static final class ResultSpliterator<R> extends Spliterators.AbstractSpliterator<R> {
        private final java.util.function.Supplier<LoopRun> factory;
        private final List<@Nullable Object> batch = new ArrayList<>(256);
        private @Nullable LoopRun run;
        private int next;
        private boolean finished;

        ResultSpliterator(java.util.function.Supplier<LoopRun> factory) {
            super(Long.MAX_VALUE, Spliterator.ORDERED);
            this.factory = factory;
        }

        @Override
        @SuppressWarnings("unchecked")
        public boolean tryAdvance(Consumer<? super R> action) {
            while (next >= batch.size()) {
                if (finished) {
                    return false;
                }
                if (run == null) {
                    run = factory.get();
                }
                batch.clear();
                next = 0;
                if (!run.await(batch, 256)) {
                    finished = true;
                    ParallelForException error = run.finish(true);
                    if (error != null) {
                        throw error;
                    }
                }
            }
            action.accept((R) batch.get(next++));
            return true;
        }

        void close() {
            if (run != null && !finished) {
                finished = true;
                run.close();
            }
        }
    }
}
