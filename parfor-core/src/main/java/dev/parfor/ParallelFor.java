package dev.parfor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Runs the body of a for loop over many inputs at once, on an engine chosen by configuration, and returns the
 * results in input order.
 *
 * <pre>{@code
 * try (ParallelFor parfor = ParallelFor.create(Engines.forkJoin())) {
 *     List<Integer> squares = parfor.map(List.of(1, 2, 3), x -> x * x);           // [1, 4, 9]
 *     List<String> lines = parfor.map(files, dictionary, (file, dict) -> check(file, dict));
 *     LoopResult<Report> reports = parfor.loop("render-reports")
 *             .onError(ErrorPolicy.COLLECT)
 *             .retries(2, Duration.ofMillis(100))
 *             .run(customers, this::render);
 * }
 * }</pre>
 *
 * <p>Each method runs one loop and blocks until it ends; a loop is named after the calling method unless
 * {@link #loop(String)} names it. Thread-safe: one instance serves every thread of an application. Closing it
 * cancels running loops and closes the engines it was given.
 */
public final class ParallelFor implements AutoCloseable {

    /** What the views from {@link #using(String)} share with the instance they came from. */
    private static final class Shared {
        final Map<String, Engine> engines;
        final Map<String, LoopOptions> engineDefaults;
        final Map<String, LoopOptions> loopOptions;
        final List<LoopListener> listeners;
        final List<ContextPropagator> propagators;
        final @Nullable ProgressListener progress;
        final Duration progressInterval;
        final boolean ownsEngines;
        final Set<LoopRun<?, ?>> running = ConcurrentHashMap.newKeySet();
        final Map<String, Double> learned = new ConcurrentHashMap<>();
        volatile boolean closed;

        Shared(Builder builder) {
            this.engines = Collections.unmodifiableMap(new LinkedHashMap<>(builder.engines));
            this.engineDefaults = Map.copyOf(builder.engineDefaults);
            this.loopOptions = new ConcurrentHashMap<>(builder.loopOptions);
            this.listeners = new CopyOnWriteArrayList<>(builder.listeners);
            List<ContextPropagator> propagators = new ArrayList<>();
            propagators.add(new MdcPropagator());
            propagators.addAll(builder.propagators);
            this.propagators = List.copyOf(propagators);
            this.progress = builder.progress;
            this.progressInterval = builder.progressInterval;
            this.ownsEngines = builder.ownsEngines;
        }
    }

    private static final String JVM_ID = Long.toHexString(new java.security.SecureRandom().nextLong());
    private static final java.util.concurrent.atomic.AtomicLong LOOP_COUNTER =
            new java.util.concurrent.atomic.AtomicLong();

    private final Shared shared;
    private final String defaultEngine;
    private final boolean view;

    private ParallelFor(Shared shared, String defaultEngine, boolean view) {
        this.shared = shared;
        this.defaultEngine = defaultEngine;
        this.view = view;
    }

    /**
     * A {@code ParallelFor} with one engine, registered under its {@link Engine#type() type}; the engine is closed
     * with it.
     *
     * @param engine the engine, for example {@code Engines.forkJoin()}
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
     * Options that configuration sets for this name ({@link Builder#loopOptions}) beat the ones set in code.
     *
     * @param name the loop's name, used in logs, metrics and the actuator; keep the set of names small
     * @return the loop, for one run
     */
    public Loop loop(String name) {
        return new Loop(this, Checks.name(name, "name"));
    }

    /**
     * Applies {@code body} to every input, in parallel, and returns the results in input order.
     *
     * @param inputs the inputs, read once
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return one result per input, in input order; {@code null} results are kept
     * @throws ParallelForException when an input fails (see {@link ErrorPolicy#FAIL_FAST})
     */
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Iterable<? extends T> inputs, Body<? super T, ? extends R> body) {
        return new Loop(this, null).map(inputs, body);
    }

    /**
     * Applies {@code body} to every input of a stream or iterator-backed source, in parallel.
     *
     * @param inputs the inputs, read lazily, once
     * @param body what runs for one input
     * @param <T> the input type
     * @param <R> the result type
     * @return one result per input, in input order
     * @throws ParallelForException when an input fails
     */
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Stream<? extends T> inputs, Body<? super T, ? extends R> body) {
        return new Loop(this, null).map(inputs, body);
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
     * @throws ParallelForException when an input fails
     */
    public <T extends @Nullable Object, C extends @Nullable Object, R extends @Nullable Object> List<R> map(
            Iterable<? extends T> inputs, C context, Body.WithContext<? super T, ? super C, ? extends R> body) {
        return new Loop(this, null).map(inputs, context, body);
    }

    /**
     * Runs {@code body} for every input, in parallel.
     *
     * @param inputs the inputs
     * @param body what runs for one input
     * @param <T> the input type
     * @throws ParallelForException when an input fails
     */
    public <T extends @Nullable Object> void forEach(Iterable<? extends T> inputs, Body.Action<? super T> body) {
        new Loop(this, null).forEach(inputs, body);
    }

    /**
     * Applies {@code body} to every pair of the Cartesian product, in row-major order: {@code (a0,b0), (a0,b1), ...}.
     *
     * @param as the first inputs
     * @param bs the second inputs
     * @param body what runs for one pair
     * @param <A> the first input type
     * @param <B> the second input type
     * @param <R> the result type
     * @return {@code as.size() * bs.size()} results, row-major
     * @throws ParallelForException when a pair fails
     */
    public <A extends @Nullable Object, B extends @Nullable Object, R extends @Nullable Object> List<R> product(
            Iterable<? extends A> as, Iterable<? extends B> bs, Body.Pair<? super A, ? super B, ? extends R> body) {
        return new Loop(this, null).product(as, bs, body);
    }

    /**
     * Applies {@code body} to every combination of the given axes, in row-major order (the last axis varies
     * fastest).
     *
     * @param axes the axes; each combination is passed as a list with one element per axis
     * @param body what runs for one combination
     * @param <R> the result type
     * @return one result per combination, row-major
     * @throws ParallelForException when a combination fails
     */
    public <R extends @Nullable Object> List<R> product(
            List<? extends Iterable<?>> axes, Body<List<@Nullable Object>, ? extends R> body) {
        return new Loop(this, null).product(axes, body);
    }

    /**
     * Applies {@code body} to every input and its index, in parallel.
     *
     * @param inputs the inputs
     * @param body what runs for one input, given its index
     * @param <T> the input type
     * @param <R> the result type
     * @return one result per input, in input order
     * @throws ParallelForException when an input fails
     */
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> mapIndexed(
            Iterable<? extends T> inputs, Body.Indexed<? super T, ? extends R> body) {
        return new Loop(this, null).mapIndexed(inputs, body);
    }

    /**
     * Splits the inputs into {@code chunks} contiguous chunks of nearly equal size, applies {@code body} to each
     * chunk in parallel, and concatenates the results in input order.
     *
     * @param inputs the inputs
     * @param chunks how many chunks, at least 1 (fewer when there are fewer inputs)
     * @param body what runs for one chunk
     * @param <T> the input type
     * @param <R> the result type
     * @return the chunks' results, concatenated in chunk order
     * @throws ParallelForException when a chunk fails; the index is the chunk's number
     */
    public <T extends @Nullable Object, R extends @Nullable Object> List<R> mapChunks(
            Iterable<? extends T> inputs, int chunks, Body.Chunked<T, ? extends R> body) {
        return new Loop(this, null).mapChunks(inputs, chunks, body);
    }

    /**
     * Calls a method of {@code target} once per input, in parallel. Each input is a {@code Map} of arguments by
     * parameter name or a {@code List} of positional arguments; {@code context} fills the parameters an input
     * leaves out, by name. Every input is checked before any call is made.
     *
     * <pre>{@code
     * parfor.invoke(reports, "render", List.of(Map.of("customer", 1), Map.of("customer", 2)), Map.of("year", 2026));
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
        return new Loop(this, null).invoke(target, method, inputs, context);
    }

    /**
     * The same API, on another engine.
     *
     * @param engine the engine's name
     * @return a view whose loops run on that engine by default; it shares engines, listeners and running loops with
     *     this instance, and closing it does nothing
     * @throws IllegalArgumentException when no engine has that name
     */
    public ParallelFor using(String engine) {
        Checks.name(engine, "engine");
        engine(engine);
        return new ParallelFor(shared, engine, true);
    }

    /**
     * The name of the engine loops run on unless told otherwise.
     *
     * @return the default engine's name
     */
    public String defaultEngine() {
        return defaultEngine;
    }

    /**
     * The engines, by name, in registration order.
     *
     * @return an unmodifiable map
     */
    public Map<String, Engine> engines() {
        return shared.engines;
    }

    /**
     * The loops running now, with their progress, oldest first.
     *
     * @return snapshots of the running loops
     */
    public List<Progress> running() {
        List<Progress> snapshots = new ArrayList<>();
        for (LoopRun<?, ?> run : shared.running) {
            snapshots.add(run.progress(false));
        }
        snapshots.sort(java.util.Comparator.comparing(Progress::startedAt));
        return snapshots;
    }

    /**
     * Adds a listener for the events of every loop started from now on.
     *
     * @param listener the listener
     */
    public void addListener(LoopListener listener) {
        shared.listeners.add(Checks.notNull(listener, "listener"));
    }

    /**
     * Stops accepting loops, lets running loops finish for up to {@code grace}, then cancels the rest (their callers
     * get a {@link ParallelForException} saying so) and closes the engines this instance owns. Never hangs: returns
     * after at most {@code grace} plus the engines' own shutdown.
     *
     * @param grace how long running loops may take to finish
     */
    public void shutdown(Duration grace) {
        Checks.notNegative(grace, "grace");
        shared.closed = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (!shared.running.isEmpty() && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(Math.min(20, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (LoopRun<?, ?> run : List.copyOf(shared.running)) {
            run.abort("parfor is shutting down and the loop did not finish within " + grace);
        }
        if (shared.ownsEngines) {
            for (Engine engine : shared.engines.values()) {
                try {
                    engine.close();
                } catch (Exception e) {
                    org.slf4j.LoggerFactory.getLogger(ParallelFor.class).warn("closing engine {} failed", engine, e);
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
        return shared.closed;
    }

    /** Cancels running loops at once and closes the engines this instance owns; see {@link #shutdown}. */
    @Override
    public void close() {
        if (view) {
            return; // a view from using(): the instance it came from owns the engines
        }
        shutdown(Duration.ZERO);
    }

    @Override
    public String toString() {
        return "ParallelFor[default=" + defaultEngine + ", engines=" + shared.engines.keySet() + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // For Loop and LoopRun

    Engine engine(String name) {
        Engine engine = shared.engines.get(name);
        if (engine == null) {
            throw Checks.unknownEngine(name, shared.engines.keySet());
        }
        return engine;
    }

    LoopOptions engineDefaults(String engine) {
        return shared.engineDefaults.getOrDefault(engine, LoopOptions.none());
    }

    LoopOptions loopOptions(String loop) {
        return shared.loopOptions.getOrDefault(loop, LoopOptions.none());
    }

    @Nullable
    ProgressListener defaultProgress() {
        return shared.progress;
    }

    Duration progressInterval() {
        return shared.progressInterval;
    }

    List<LoopListener> listeners() {
        return shared.listeners; // copy-on-write: iterating it sees a snapshot, without a copy per loop
    }

    List<ContextPropagator> propagators() {
        return shared.propagators;
    }

    String newLoopId() {
        // Unique across the JVMs of a cluster: a random prefix per JVM and a counter, cheaper than a random UUID.
        return JVM_ID + "-" + Long.toString(LOOP_COUNTER.incrementAndGet(), 36);
    }

    void register(LoopRun<?, ?> run) {
        if (shared.closed) {
            throw new IllegalStateException("parfor is shut down; loop '" + run.info.name() + "' was not started");
        }
        shared.running.add(run);
    }

    void unregister(LoopRun<?, ?> run) {
        shared.running.remove(run);
    }

    double learnedNanosPerInput(String key) {
        return shared.learned.getOrDefault(key, Double.NaN);
    }

    void learn(String key, double nanosPerInput) {
        if (shared.learned.size() > 10_000) {
            shared.learned.clear(); // names are meant to be few; never let a stream of new names grow this
        }
        shared.learned.put(key, nanosPerInput);
    }

    /** Builds a {@link ParallelFor}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Engine> engines = new LinkedHashMap<>();
        private final Map<String, LoopOptions> engineDefaults = new LinkedHashMap<>();
        private final Map<String, LoopOptions> loopOptions = new LinkedHashMap<>();
        private final List<LoopListener> listeners = new ArrayList<>();
        private final List<ContextPropagator> propagators = new ArrayList<>();
        private @Nullable String defaultEngine;
        private @Nullable ProgressListener progress;
        private Duration progressInterval = Duration.ofSeconds(1);
        private boolean ownsEngines = true;

        private Builder() {}

        /**
         * Registers an engine under a name. The first engine registered is the default unless
         * {@link #defaultEngine} says otherwise.
         *
         * @param name the engine's name, used by {@link Loop#engine} and {@link ParallelFor#using}
         * @param engine the engine
         * @return this builder
         * @throws IllegalStateException when the name is already registered
         */
        public Builder engine(String name, Engine engine) {
            return engine(name, engine, LoopOptions.none());
        }

        /**
         * Registers an engine with defaults for the loops that run on it.
         *
         * @param name the engine's name
         * @param engine the engine
         * @param defaults options for loops on this engine that neither the call site nor {@link #loopOptions} set
         * @return this builder
         * @throws IllegalStateException when the name is already registered
         */
        public Builder engine(String name, Engine engine, LoopOptions defaults) {
            Checks.name(name, "name");
            Checks.notNull(engine, "engine");
            Checks.notNull(defaults, "defaults");
            if (engines.containsKey(name)) {
                throw new IllegalStateException(
                        "engine '" + name + "' is already registered; give each engine its own name");
            }
            engines.put(name, engine);
            engineDefaults.put(name, defaults);
            return this;
        }

        /**
         * Chooses the engine that loops run on unless told otherwise.
         *
         * @param name a registered engine's name
         * @return this builder
         */
        public Builder defaultEngine(String name) {
            Checks.unset(defaultEngine, "defaultEngine");
            this.defaultEngine = Checks.name(name, "name");
            return this;
        }

        /**
         * Sets options for the loop with this name that beat what its call site says: how an operator re-routes or
         * throttles a loop without a release.
         *
         * @param loop the loop's name
         * @param options the options
         * @return this builder
         */
        public Builder loopOptions(String loop, LoopOptions options) {
            loopOptions.put(Checks.name(loop, "loop"), Checks.notNull(options, "options"));
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
         * Adds a way to carry the caller's thread-local context into tasks on local engines (MDC is always
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
         * Sets the progress listener of loops that do not set their own, and how often it is called.
         *
         * @param listener the listener, for example {@link ProgressListener#logging()}
         * @param interval the least time between two reports of one loop
         * @return this builder
         */
        public Builder progress(ProgressListener listener, Duration interval) {
            this.progress = Checks.notNull(listener, "listener");
            this.progressInterval = Checks.positive(interval, "interval");
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
         * @throws IllegalStateException when no engine is registered, or the default or a loop's engine is unknown
         */
        public ParallelFor build() {
            if (engines.isEmpty()) {
                throw new IllegalStateException(
                        "no engine registered; add one with engine(\"fork-join\", Engines.forkJoin())");
            }
            String chosen = defaultEngine != null
                    ? defaultEngine
                    : engines.keySet().iterator().next();
            if (!engines.containsKey(chosen)) {
                throw new IllegalStateException("default engine '" + chosen + "' is not registered; known engines: "
                        + String.join(", ", engines.keySet()));
            }
            for (Map.Entry<String, LoopOptions> entry : loopOptions.entrySet()) {
                String engine = entry.getValue().engine();
                if (engine != null && !engines.containsKey(engine)) {
                    throw new IllegalStateException("loop '" + entry.getKey() + "' is routed to unknown engine '"
                            + engine + "'; known engines: " + String.join(", ", engines.keySet()));
                }
            }
            return new ParallelFor(new Shared(this), chosen, false);
        }
    }
}
