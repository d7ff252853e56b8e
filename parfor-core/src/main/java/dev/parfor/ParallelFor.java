package dev.parfor;

import dev.parfor.spi.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Runs the body of a for loop over many inputs at once, on an engine chosen by configuration, and returns the
 * results in input order.
 *
 * <pre>{@code
 * try (ParallelFor parfor = ParallelFor.create(Engines.forkJoin(4))) {
 *     List<Integer> squares = parfor.map(List.of(1, 2, 3), x -> x * x);           // [1, 4, 9]
 *     List<String> lines = parfor.map(files, dictionary, (file, dict) -> check(file, dict));
 *     LoopResult<Report> reports = parfor.loop("render-reports")
 *             .onError(ErrorPolicy.COLLECT)
 *             .retries(2, Duration.ofMillis(100))
 *             .run(customers, this::render);
 * }
 * }</pre>
 *
 * <p>{@code map} here runs an unnamed loop with the options configuration gives it; every other terminal ({@code
 * run}, {@code forEach}, {@code stream}, ...), and every option, starts from {@link #loop(String)} (or {@link
 * #loop()} for an unnamed one). An unnamed loop is named after
 * the calling method in lower-case kebab form ({@code ReportService.renderAll} runs {@code
 * report-service-render-all}), so its name works as a configuration key. Each terminal blocks until its loop ends;
 * see {@link Loop} for the error policy of each terminal and for what holds on every engine.
 *
 * <p>Thread-safe: one instance serves every thread of an application. Closing it cancels running loops and closes
 * the engines it owns.
 */
public final class ParallelFor implements AutoCloseable {

    private final LoopRuntime runtime;

    private ParallelFor(LoopRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * A {@code ParallelFor} with one engine, registered under its {@link Engine#type() type}; the engine is closed
     * with it.
     *
     * @param engine the engine, for example {@code Engines.forkJoin(4)}
     * @return the new instance
     */
    public static ParallelFor create(Engine engine) {
        Checks.notNull(engine, "engine");
        return builder().engine(engine.type(), engine).build();
    }

    /**
     * A builder for a {@code ParallelFor} with several named engines and one default.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a named loop: set its options, then call a terminal such as {@link Loop#map} or {@link Loop#run}.
     * Options that configuration sets for this name ({@link Builder#loop(String, Consumer)}) beat the ones set in code.
     *
     * @param name the loop's name, used in logs, metrics, configuration and the actuator; keep the set of names small
     * @return the loop, for one or more runs
     */
    public Loop loop(String name) {
        return new Loop(runtime, Checks.name(name, "name"));
    }

    /**
     * Starts a loop named after the calling method, to set options or use a terminal this class has no shortcut for.
     *
     * @return the loop, for one or more runs
     */
    public Loop loop() {
        return new Loop(runtime, null);
    }

    /**
     * Applies {@code body} to every input, in parallel, and returns the results in input order.
     *
     * @param inputs the inputs, read once; pass a {@link java.util.stream.Stream} as {@code stream::iterator} and
     *     close it yourself
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return one result per input, in input order; {@code null} results are kept
     * @throws ParallelForException when an input fails, and on timeout or cancellation
     */
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return new Loop(runtime, null).map(inputs, body);
    }

    /**
     * Applies {@code body} to every input with a shared context, in parallel. On local engines every task receives
     * the same context instance; nothing is copied.
     *
     * @param inputs the inputs
     * @param context what every task shares, such as a large read-only data set
     * @param body what runs for one input
     * @param <T> the input type
     * @param <C> the context type
     * @param <R> the result type
     * @return one result per input, in input order
     * @throws ParallelForException when an input fails, and on timeout or cancellation
     */
    public <T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Iterable<? extends T> inputs, C context, Body.WithContext<? super T, ? super C, ? extends R> body) {
        return new Loop(runtime, null).map(inputs, context, body);
    }

    /**
     * The engines, by name, in registration order: the first is the default, the one loops run on unless told
     * otherwise.
     *
     * @return an unmodifiable map
     */
    public Map<String, Engine> engines() {
        return runtime.engines;
    }

    /**
     * The loops running now, oldest first, each with its progress and a way to cancel it.
     *
     * @return a snapshot of the running loops
     */
    public List<RunningLoop> running() {
        List<LoopRun> loops = new ArrayList<>(runtime.running);
        loops.sort(Comparator.comparingLong(loop -> loop.info.number));
        return new ArrayList<>(loops);
    }

    /**
     * The limits loops share, by name, with their use now.
     *
     * @return an unmodifiable map, in registration order
     */
    public Map<String, LimitStats> limits() {
        return Collections.unmodifiableMap(runtime.limits);
    }

    /**
     * Stops accepting loops, lets running loops finish for up to {@code grace}, then cancels the rest (their callers
     * get a {@link ParallelForException} saying so) and closes the engines this instance owns. Never hangs: returns
     * after at most {@code grace} plus the engines' own shutdown.
     *
     * @param grace how long running loops may take to finish, at most 100 years
     * @throws IllegalArgumentException when negative or too long
     */
    public void shutdown(Duration grace) {
        Checks.notNegative(grace, "grace");
        runtime.closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (!runtime.running.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                TimeUnit.MILLISECONDS.sleep(Math.min(20, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (LoopRun run : List.copyOf(runtime.running)) {
            run.cancel("parfor is shutting down and the loop did not finish within " + grace);
        }
        if (runtime.ownsEngines) {
            for (Engine engine : runtime.engines.values()) {
                try {
                    engine.close();
                } catch (Throwable e) {
                    LoggerFactory.getLogger(ParallelFor.class)
                            .warn("closing engine {} failed: {}", engine, Texts.describe(e), e);
                }
            }
        }
    }

    /**
     * Whether {@link #shutdown} or {@link #close} has been called; a shut-down instance refuses new loops.
     *
     * @return {@code true} once shut down
     */
    public boolean isShutdown() {
        return runtime.closed;
    }

    /** Cancels running loops at once and closes the engines this instance owns; see {@link #shutdown}. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }

    /** Builds a {@link ParallelFor}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Engine> engines = new LinkedHashMap<>();
        private final Map<String, LoopOptions> engineDefaults = new LinkedHashMap<>();
        private final Map<String, LoopOptions> loopDefaults = new LinkedHashMap<>();
        private final Map<String, Limit> limits = new LinkedHashMap<>();
        private final List<LoopListener> listeners = new ArrayList<>();
        private final List<ContextPropagator> propagators = new ArrayList<>();
        private boolean ownsEngines = true;

        private Builder() {}

        /**
         * Registers an engine under a name. The first engine registered is the default: the one loops run on unless
         * their call site or {@link #loop(String, Consumer)} names another.
         *
         * @param name the engine's name, used by {@link Loop#engine} and configuration; the built-in fork-join and
         *     virtual-thread engines name their threads after it ({@code parfor-<name>-<n>})
         * @param engine the engine
         * @return this builder
         * @throws IllegalStateException when the name is already registered
         */
        public Builder engine(String name, Engine engine) {
            return engine(name, engine, loop -> {});
        }

        /**
         * Registers an engine with defaults for the loops that run on it, set on a {@link Loop} that only records
         * them (a terminal called on it throws an {@link IllegalStateException}); {@code defaults} runs at once.
         *
         * <pre>{@code
         * builder.engine("io", Engines.virtualThreads(200),
         *         loop -> loop.timeout(Duration.ofMinutes(1)).retries(2, Duration.ofMillis(100)));
         * }</pre>
         *
         * @param name the engine's name
         * @param engine the engine
         * @param defaults sets options for loops on this engine that neither the call site nor {@link #loop(String,
         *     Consumer)} set; every option but {@link Loop#engine} can be a default
         * @return this builder
         * @throws IllegalStateException when the name is already registered, or the consumer calls a terminal or
         *     sets an option twice
         */
        public Builder engine(String name, Engine engine, Consumer<? super Loop> defaults) {
            Checks.name(name, "name");
            Checks.notNull(engine, "engine");
            Checks.notNull(defaults, "defaults");
            if (engines.containsKey(name)) {
                throw new IllegalStateException(
                        "engine '" + name + "' is already registered; give each engine its own name");
            }
            LoopOptions recorded = Loop.record("engine '" + name + "'", defaults);
            if (engine instanceof NamedThreads named && !engines.containsValue(engine)) {
                named.nameThreads("parfor-" + name + "-"); // under the first name it is registered with
            }
            engines.put(name, engine);
            engineDefaults.put(name, recorded);
            return this;
        }

        /**
         * Sets options for the loop with this name that beat what its call site says: how an operator re-routes or
         * throttles a loop without a release. The options are set on a {@link Loop} that only records them (a
         * terminal called on it throws an {@link IllegalStateException}); {@code defaults} runs at once, and a later
         * call for the same name replaces what it set.
         *
         * <pre>{@code
         * builder.loop("render-reports", loop -> loop.engine("io").parallelism(8));
         * }</pre>
         *
         * @param name the loop's name
         * @param defaults sets the options
         * @return this builder
         * @throws IllegalStateException when the consumer calls a terminal or sets an option twice
         */
        public Builder loop(String name, Consumer<? super Loop> defaults) {
            Checks.name(name, "name");
            loopDefaults.put(name, Loop.record("loop '" + name + "'", defaults));
            return this;
        }

        /**
         * Registers a limit that loops share ({@link Loop#limit}, at the call site or in defaults):
         * the tasks of every loop using it together run at most {@code maxConcurrency} at once and start at most
         * {@code permitsPerSecond} per second on average, with bursts of up to {@code burst}. Ten loops calling one
         * service then share one budget instead of each having its own parallelism. A task waits for its permit on
         * the thread that runs it; the limit applies on local engines.
         *
         * @param name the limit's name
         * @param maxConcurrency the most tasks at once, or 0 for no bound on concurrency
         * @param permitsPerSecond the average rate, or 0 for no bound on the rate
         * @param burst the most permits handed out at once after an idle time, at least 1
         * @return this builder
         * @throws IllegalArgumentException for a negative bound, a burst below 1, or neither bound set
         * @throws IllegalStateException when the name is already registered
         */
        public Builder limit(String name, int maxConcurrency, double permitsPerSecond, int burst) {
            Checks.name(name, "name");
            Checks.notNegative(maxConcurrency, "maxConcurrency");
            if (!(permitsPerSecond >= 0) || Double.isInfinite(permitsPerSecond)) {
                throw new IllegalArgumentException(
                        "'permitsPerSecond' must be a finite number of 0 or more but was " + permitsPerSecond);
            }
            Checks.positive(burst, "burst");
            if (maxConcurrency == 0 && permitsPerSecond == 0) {
                throw new IllegalArgumentException("limit '" + name + "' bounds nothing: set 'maxConcurrency' or"
                        + " 'permitsPerSecond' (or both) above 0");
            }
            if (limits.containsKey(name)) {
                throw new IllegalStateException(
                        "limit '" + name + "' is already registered; give each limit its own name");
            }
            limits.put(name, new Limit(name, maxConcurrency, permitsPerSecond, burst));
            return this;
        }

        /**
         * Adds a listener for the events of every loop.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(LoopListener listener) {
            listeners.add(Checks.notNull(listener, "listener"));
            return this;
        }

        /**
         * Adds a way to carry the caller's thread-local context into tasks on local engines (SLF4J's MDC is always
         * carried).
         *
         * @param propagator the propagator
         * @return this builder
         */
        public Builder contextPropagator(ContextPropagator propagator) {
            propagators.add(Checks.notNull(propagator, "propagator"));
            return this;
        }

        /**
         * Whether closing the {@code ParallelFor} closes its engines (the default). Turn it off when the engines
         * belong to someone else, such as a dependency-injection container.
         *
         * @param ownsEngines whether to close the engines
         * @return this builder
         */
        public Builder ownsEngines(boolean ownsEngines) {
            this.ownsEngines = ownsEngines;
            return this;
        }

        /**
         * Builds the instance.
         *
         * @return the new {@code ParallelFor}
         * @throws IllegalStateException when no engine is registered, a loop's engine is unknown,
         *     defaults name an unknown limit, or an engine's defaults set {@link Loop#engine}
         */
        public ParallelFor build() {
            if (engines.isEmpty()) {
                throw new IllegalStateException(
                        "no engine registered; add one with engine(\"fork-join\", Engines.forkJoin(4))");
            }
            String chosen = engines.keySet().iterator().next();
            for (Map.Entry<String, LoopOptions> entry : engineDefaults.entrySet()) {
                String engine = entry.getValue().engine;
                if (engine != null) {
                    throw new IllegalStateException("'engine' cannot be a default of engine '" + entry.getKey()
                            + "' but was '" + engine + "': a loop runs on one engine before that engine's defaults"
                            + " apply; route loops by name with builder.loop(\"name\", loop -> loop.engine(\""
                            + engine + "\")), or register engine '" + engine + "' first to make it the default");
                }
                checkLimit("engine '" + entry.getKey() + "'", entry.getValue().limit);
            }
            for (Map.Entry<String, LoopOptions> entry : loopDefaults.entrySet()) {
                checkLimit("loop '" + entry.getKey() + "'", entry.getValue().limit);
                String engine = entry.getValue().engine;
                if (engine != null && !engines.containsKey(engine)) {
                    throw new IllegalStateException("loop '" + entry.getKey() + "' is routed to unknown engine '"
                            + engine + "'; known engines: " + String.join(", ", engines.keySet()));
                }
            }
            return new ParallelFor(new LoopRuntime(
                    engines, engineDefaults, loopDefaults, limits, listeners, propagators, chosen, ownsEngines));
        }

        private void checkLimit(String owner, @Nullable String limit) {
            if (limit != null && !limits.containsKey(limit)) {
                throw new IllegalStateException(owner + " uses unknown limit '" + limit + "'; known limits: "
                        + (limits.isEmpty() ? "none" : String.join(", ", limits.keySet()))
                        + ". Register it with limit(\"" + limit + "\", ...)");
            }
        }
    }
}
