package dev.parfor;

import dev.parfor.spi.Engine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a {@link ParallelFor} hands each of its loops: engines, the option layers, listeners, context propagators, and
 * the registry of running loops. Thread-safe; one per {@code ParallelFor}, never a static.
 */
final class LoopRuntime {

    private static final String JVM_ID = Long.toHexString(new java.security.SecureRandom().nextLong());
    private static final AtomicLong LOOP_COUNTER = new AtomicLong();
    private static final byte[] ID_PREFIX = (JVM_ID + "-").getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.ISO_8859_1);

    final Map<String, Engine> engines;
    final Map<String, LoopOptions> engineDefaults;
    final Map<String, LoopOptions> loopOptions;
    final Map<String, Limit> limits;
    final List<LoopListener> listeners;
    final List<ContextPropagator> propagators;
    final String defaultEngine;
    final boolean ownsEngines;
    final Set<LoopRun> running = new RunningSet<>();
    // What earlier runs of a loop learned, by loop name and engine name: found with two lookups of strings whose hash
    // codes are cached, where a key built per loop would be hashed anew each time.
    private final Map<String, Map<String, Learned>> learned = new ConcurrentHashMap<>();
    private final AtomicInteger learnedCount = new AtomicInteger();
    volatile boolean closed;

    LoopRuntime(
            Map<String, Engine> engines,
            Map<String, LoopOptions> engineDefaults,
            Map<String, LoopOptions> loopOptions,
            Map<String, Limit> limits,
            List<LoopListener> listeners,
            List<ContextPropagator> propagators,
            String defaultEngine,
            boolean ownsEngines) {
        this.engines = Collections.unmodifiableMap(new LinkedHashMap<>(engines));
        this.engineDefaults = Map.copyOf(engineDefaults);
        this.loopOptions = Map.copyOf(loopOptions);
        this.limits = Collections.unmodifiableMap(new LinkedHashMap<>(limits));
        this.listeners = List.copyOf(listeners);
        List<ContextPropagator> all = new ArrayList<>();
        all.add(new MdcPropagator());
        all.addAll(propagators);
        this.propagators = List.copyOf(all);
        this.defaultEngine = defaultEngine;
        this.ownsEngines = ownsEngines;
    }

    Engine engine(String name) {
        Engine engine = engines.get(name);
        if (engine == null) {
            throw Checks.unknownEngine(name, engines.keySet());
        }
        return engine;
    }

    Limit limit(String name) {
        Limit limit = limits.get(name);
        if (limit == null) {
            throw new IllegalArgumentException("unknown limit '" + name + "'; known limits: "
                    + (limits.isEmpty() ? "none" : String.join(", ", limits.keySet()))
                    + ". Register it with ParallelFor.builder().limit(\"" + name + "\", ...), or with the Spring Boot"
                    + " starter set parfor.limits." + name + ".max-concurrency or .rate");
        }
        return limit;
    }

    long newLoopNumber() {
        // Ids are unique across the JVMs of a cluster: a random prefix per JVM and this counter, cheaper than a random
        // UUID; the string is written only when someone asks for it (LoopInfo.id()).
        return LOOP_COUNTER.incrementAndGet();
    }

    /**
     * {@code JVM_ID + "-" + Long.toString(count, 36)} for a positive count, written straight into the bytes of the
     * string: {@code Long.toString} with a radix divides a long per digit into a buffer of 65 bytes, which is then
     * copied twice.
     */
    static String loopId(long count) {
        byte[] id = new byte[ID_PREFIX.length + 13];
        int at = id.length;
        if (count <= Integer.MAX_VALUE) {
            int rest = (int) count;
            do {
                id[--at] = DIGITS[rest % 36];
                rest /= 36;
            } while (rest != 0);
        } else {
            long rest = count;
            do {
                id[--at] = DIGITS[(int) (rest % 36)];
                rest /= 36;
            } while (rest != 0);
        }
        int start = at - ID_PREFIX.length;
        System.arraycopy(ID_PREFIX, 0, id, start, ID_PREFIX.length);
        return new String(id, start, id.length - start, StandardCharsets.ISO_8859_1);
    }

    void register(LoopRun run) {
        if (closed) {
            throw new IllegalStateException("parfor is shut down; loop '" + run.info.name() + "' was not started");
        }
        running.add(run);
    }

    void unregister(LoopRun run) {
        running.remove(run);
    }

    /** What one loop, on one engine, learned in earlier runs: the cost of one input, NaN until a run measured it. */
    static final class Learned {
        volatile double nanosPerInput = Double.NaN;
    }

    /** What the loop {@code name} learned on the engine {@code engine} in earlier runs. */
    Learned learned(String name, String engine) {
        Map<String, Learned> byEngine = learned.get(name);
        Learned known = byEngine != null ? byEngine.get(engine) : null;
        if (known != null) {
            return known;
        }
        if (learnedCount.get() > 10_000) {
            // names are meant to be few; never let a stream of new names grow this
            learned.clear();
            learnedCount.set(0);
        }
        return learned.computeIfAbsent(name, loop -> new ConcurrentHashMap<>()).computeIfAbsent(engine, on -> {
            learnedCount.incrementAndGet();
            return new Learned();
        });
    }
}
