package dev.parfor;

import dev.parfor.spi.Engine;
import dev.parfor.spi.Placement;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * How one run of a loop is carried out, decided once before it starts: the merged options, where chunks run, how
 * large they are, and how far ahead of the consumer inputs are read. Immutable.
 *
 * @param callerRuns whether the loop's own consumer runs every chunk (the sequential engine, or a loop learned to be
 *     tiny, which then costs no hand-off to another thread)
 */
record Plan(
        String name,
        String engineName,
        Engine engine,
        Placement placement,
        boolean callerRuns,
        int parallelism,
        ErrorPolicy policy,
        int retries,
        long backoffNanos,
        double backoffMultiplier,
        long maxBackoffNanos,
        double jitter,
        @Nullable Limit limit,
        Predicate<? super Throwable> retryOn,
        @Nullable Duration timeout,
        long taskTimeoutNanos,
        @Nullable Consumer<? super Progress> progress,
        long progressIntervalNanos,
        long window,
        boolean direct,
        ChunkSizer sizer) {

    /** Loops expected to take less than this in all run on the caller's thread. */
    private static final long INLINE_NANOS = 20_000;

    private static final Predicate<Throwable> EXCEPTIONS = error -> error instanceof Exception;

    /** The kind of terminal, which decides how results are held. */
    enum Mode {
        /** Every value kept by index (map, run). */
        ALL,
        /** A bounded window, in input order (stream). */
        ORDERED,
        /** A bounded window, in completion order (streamAsCompleted). */
        COMPLETION,
        /** A bounded window whose values are not kept (forEach). */
        DISCARD
    }

    static Plan of(LoopRuntime runtime, String name, LoopOptions callSite, long total, Mode mode, int defaultChunk) {
        LoopOptions override = runtime.loopOptions.isEmpty()
                ? LoopOptions.none()
                : runtime.loopOptions.getOrDefault(name, LoopOptions.none());
        String engineName = first(override.engine, callSite.engine, runtime.defaultEngine);
        Engine engine = runtime.engine(engineName);
        LoopOptions merged = override.orElse(callSite)
                .orElse(
                        runtime.engineDefaults.isEmpty()
                                ? LoopOptions.none()
                                : runtime.engineDefaults.getOrDefault(engineName, LoopOptions.none()));
        Placement placement = describe(engine, engineName, name);
        int parallelism =
                merged.parallelism != null ? merged.parallelism : Math.max(1, parallelismOf(engine, engineName, name));
        long taskTimeoutNanos = merged.taskTimeout == null ? 0 : merged.taskTimeout.toNanos();
        LoopRuntime.Learned earlier = runtime.learned(name, engineName);
        double learned = earlier.nanosPerInput;
        // A loop whose whole work took less than a hand-off to another thread in earlier runs runs on the caller: the
        // latency a web request pays for a small loop is then the work itself. Never when a deadline is set: the caller
        // must stay free to return at it.
        boolean tiny = placement == Placement.LOCAL
                && mode == Mode.ALL
                && total >= 0
                && merged.timeout == null
                && taskTimeoutNanos == 0
                && !Double.isNaN(learned)
                && total * learned < INLINE_NANOS;
        boolean callerRuns = placement == Placement.CALLER || tiny;
        long window = mode == Mode.ALL ? Long.MAX_VALUE : Math.max(65_536L, 4L * parallelism);
        int maxChunk;
        if (mode != Mode.ALL) {
            maxChunk = (int) Math.max(1, window / (4L * parallelism));
        } else if (total >= 0 && callerRuns) {
            // On the caller, a chunk costs a round of the loop's own bookkeeping and buys no balance: few, large ones.
            maxChunk = (int) Math.max(1, Math.min(1 << 20, total));
        } else if (total >= 0 && placement == Placement.REMOTE) {
            // Every chunk of a remote engine pays a network round trip: one wave of chunks, not eight.
            maxChunk = (int) Math.max(1, Math.min(1 << 20, total / parallelism));
        } else if (total >= 0) {
            maxChunk = (int) Math.max(1, Math.min(1 << 20, total / (8L * parallelism)));
        } else {
            maxChunk = 16_384;
        }
        int fixed = merged.chunkSize != null ? merged.chunkSize : defaultChunk;
        ChunkSizer sizer = new ChunkSizer(
                earlier,
                fixed,
                maxChunk,
                placement == Placement.REMOTE ? ChunkSizer.REMOTE_TARGET_CHUNK_NANOS : ChunkSizer.TARGET_CHUNK_NANOS);
        boolean direct = mode == Mode.ALL && placement != Placement.REMOTE && taskTimeoutNanos == 0;
        return new Plan(
                name,
                engineName,
                engine,
                placement,
                callerRuns,
                parallelism,
                merged.onError != null ? merged.onError : ErrorPolicy.FAIL_FAST,
                merged.retries != null ? merged.retries : 0,
                merged.backoff != null ? merged.backoff.toNanos() : 0,
                merged.backoffMultiplier != null ? merged.backoffMultiplier : 2.0,
                merged.maxBackoff != null ? merged.maxBackoff.toNanos() : Checks.MAX_DURATION.toNanos(),
                merged.jitter != null ? merged.jitter : 0.0,
                merged.limit != null ? runtime.limit(merged.limit) : null,
                merged.retryOn != null ? merged.retryOn : EXCEPTIONS,
                merged.timeout,
                taskTimeoutNanos,
                merged.progress,
                merged.progressInterval != null ? merged.progressInterval.toNanos() : 0, // set with its listener
                window,
                direct,
                sizer);
    }

    /** The engine's placement; an engine that cannot tell refuses the loop with a message naming it. */
    private static Placement describe(Engine engine, String engineName, String loop) {
        try {
            return Checks.notNull(engine.placement(), "placement");
        } catch (Throwable e) {
            throw engineFailed(engine, engineName, loop, e);
        }
    }

    private static int parallelismOf(Engine engine, String engineName, String loop) {
        try {
            return engine.parallelism();
        } catch (Throwable e) {
            throw engineFailed(engine, engineName, loop, e);
        }
    }

    private static ParallelForException engineFailed(Engine engine, String engineName, String loop, Throwable e) {
        return new ParallelForException(
                "loop '" + loop + "' could not start: engine '" + engineName + "' failed to describe itself ("
                        + Texts.describe(e) + "); fix the engine's placement() or parallelism()",
                loop,
                Outcome.FAILURE,
                e,
                java.util.List.of());
    }

    /** The merged options as text, for operators (see {@link RunningLoop#options()}). */
    java.util.Map<String, String> describe() {
        java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
        options.put("engine", engineName);
        options.put("parallelism", Integer.toString(parallelism));
        options.put("chunkSize", sizer.fixed() > 0 ? Integer.toString(sizer.fixed()) : "auto");
        options.put("onError", policy.name());
        options.put("retries", Integer.toString(retries));
        options.put("backoff", Duration.ofNanos(backoffNanos).toString());
        options.put("backoffMultiplier", Double.toString(backoffMultiplier));
        options.put(
                "maxBackoff",
                maxBackoffNanos >= Checks.MAX_DURATION.toNanos()
                        ? "none"
                        : Duration.ofNanos(maxBackoffNanos).toString());
        options.put("jitter", Double.toString(jitter));
        options.put("timeout", timeout == null ? "none" : timeout.toString());
        options.put(
                "taskTimeout",
                taskTimeoutNanos > 0 ? Duration.ofNanos(taskTimeoutNanos).toString() : "none");
        options.put("limit", limit == null ? "none" : limit.name);
        return java.util.Collections.unmodifiableMap(options);
    }

    private static String first(@Nullable String a, @Nullable String b, String c) {
        return a != null ? a : b != null ? b : c;
    }

    /**
     * The pause before retry number {@code retry} (1 for the first): {@code backoff * multiplier^(retry-1)}, capped at
     * the maximum, then spread by up to {@code jitter} of itself either way and capped again.
     */
    long backoffFor(int retry, double random) {
        if (backoffNanos <= 0) {
            return 0;
        }
        double base = Math.min(maxBackoffNanos, backoffNanos * Math.pow(backoffMultiplier, Math.max(0, retry - 1)));
        double spread = base * (1 + jitter * (2 * random - 1));
        return (long) Math.max(0, Math.min(maxBackoffNanos, spread));
    }
}
