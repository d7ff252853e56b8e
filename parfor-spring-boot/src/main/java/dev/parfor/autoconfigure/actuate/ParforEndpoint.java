package dev.parfor.autoconfigure.actuate;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.parfor.LoopInfo;
import dev.parfor.ParallelFor;
import dev.parfor.Progress;
import dev.parfor.TaskFailure;
import dev.parfor.autoconfigure.ParforProperties;
import dev.parfor.autoconfigure.ParforProperties.LimitProperties;
import dev.parfor.spi.Engine;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The actuator endpoint {@code parfor}: the engines with their load, the loops running now with progress and ETA, and
 * the last loops that finished, newest first ({@code GET /actuator/parfor}); one loop with its first failures
 * ({@code GET /actuator/parfor/{id}}); and cancelling a running loop ({@code DELETE /actuator/parfor/{id}}), a write
 * operation that is off unless the application grants it ({@code management.endpoint.parfor.access=unrestricted}).
 * Responses are {@link OperationResponseBody}s, so the actuator writes them with its own JSON settings: the same keys
 * in every application, whatever {@code spring.jackson.*} says.
 */
@Endpoint(id = "parfor", defaultAccess = Access.READ_ONLY)
public class ParforEndpoint {

    private final ParallelFor parallelFor;
    private final RecentLoops recent;
    private final ParforProperties properties;

    /**
     * Creates the endpoint.
     *
     * @param parallelFor the instance to describe
     * @param recent the loops that finished last
     * @param properties the configuration, for the bounds of the limits it sets
     */
    public ParforEndpoint(ParallelFor parallelFor, RecentLoops recent, ParforProperties properties) {
        this.parallelFor = parallelFor;
        this.recent = recent;
        this.properties = properties;
    }

    /** The default engine's name: the first engine registered. */
    static String defaultEngine(ParallelFor parallelFor) {
        return parallelFor.engines().keySet().iterator().next();
    }

    /**
     * Describes parfor now.
     *
     * @return the engines, running loops and recent loops
     */
    @ReadOperation
    public ParforDescriptor parfor() {
        List<EngineDescriptor> engines = parallelFor.engines().entrySet().stream()
                .map(ParforEndpoint::engine)
                .toList();
        List<RunningLoop> running = parallelFor.running().stream()
                .map(loop -> running(loop.progress()))
                .toList();
        List<FinishedLoop> finished =
                recent.newestFirst().stream().map(ParforEndpoint::finished).toList();
        List<LimitDescriptor> limits = parallelFor.limits().entrySet().stream()
                .map(entry -> new LimitDescriptor(
                        entry.getKey(),
                        configured(entry.getKey(), LimitProperties::getMaxConcurrency, 0),
                        configured(entry.getKey(), LimitProperties::getRate, 0.0),
                        entry.getValue().inUse(),
                        entry.getValue().waiting(),
                        entry.getValue().acquired(),
                        entry.getValue().rejected(),
                        entry.getValue().waitNanos() / 1_000_000))
                .toList();
        return new ParforDescriptor(defaultEngine(parallelFor), engines, running, finished, limits);
    }

    /** A bound of a limit that configuration sets; null for a limit registered in code. */
    private <V> @Nullable V configured(String limit, Function<LimitProperties, @Nullable V> bound, V unbounded) {
        LimitProperties configured = properties.getLimits().get(limit);
        if (configured == null) {
            return null;
        }
        V value = bound.apply(configured);
        return value != null ? value : unbounded;
    }

    /**
     * Describes one loop: running, or among the last that finished.
     *
     * @param id the loop's id, as {@code GET /actuator/parfor} lists it
     * @return the loop, or null (404) when no running or recent loop has that id
     */
    @ReadOperation
    public @Nullable LoopDescriptor loop(@Selector String id) {
        for (dev.parfor.RunningLoop loop : parallelFor.running()) {
            Progress progress = loop.progress();
            if (progress.info().id().equals(id)) {
                List<FailureDescriptor> failures = loop.failures().stream()
                        .limit(MAX_FAILURES)
                        .map(ParforEndpoint::failure)
                        .toList();
                return new LoopDescriptor(
                        progress.info().id(),
                        progress.info().name(),
                        progress.info().engine(),
                        progress.info().parallelism(),
                        "running",
                        total(progress),
                        progress.done(),
                        progress.failed(),
                        progress.retried(),
                        progress.elapsed().toMillis(),
                        rate(progress),
                        etaMillis(progress),
                        startedAt(progress, Instant.now()),
                        null,
                        failures,
                        loop.options());
            }
        }
        for (RecentLoops.Finished finished : recent.newestFirst()) {
            if (finished.loop().id().equals(id)) {
                Progress progress = finished.progress();
                return new LoopDescriptor(
                        progress.info().id(),
                        progress.info().name(),
                        progress.info().engine(),
                        finished.loop().parallelism(),
                        finished.outcome().name().toLowerCase(Locale.ROOT),
                        total(progress),
                        progress.done(),
                        progress.failed(),
                        progress.retried(),
                        progress.elapsed().toMillis(),
                        rate(progress),
                        null,
                        startedAt(progress, finished.finishedAt()),
                        finished.finishedAt().toString(),
                        List.of(),
                        Map.of());
            }
        }
        return null;
    }

    /**
     * Cancels a running loop as a caller interrupt would: its running tasks are interrupted and its caller gets a
     * {@code ParallelForException} with outcome CANCELLED saying it was cancelled from outside. A write operation.
     *
     * @param id the loop's id
     * @return whether this call cancelled it; false when no running loop has that id or it had ended
     */
    @DeleteOperation
    public CancelDescriptor cancel(@Selector String id) {
        for (dev.parfor.RunningLoop loop : parallelFor.running()) {
            LoopInfo info = loop.progress().info();
            if (info.id().equals(id)) {
                boolean cancelled = loop.cancel();
                return new CancelDescriptor(
                        id, info.name(), cancelled, cancelled ? "cancelled" : "the loop had already ended");
            }
        }
        return new CancelDescriptor(id, null, false, "no running loop has this id");
    }

    /** How many failures one loop's description lists. */
    static final int MAX_FAILURES = 10;

    /** Longest input text shown for a failure. */
    static final int MAX_INPUT_LENGTH = 200;

    private static FailureDescriptor failure(TaskFailure failure) {
        return new FailureDescriptor(
                failure.index(),
                text(failure.input()),
                failure.error().getClass().getName(),
                text(failure.error().getMessage()),
                failure.attempts());
    }

    /** An input's or message's text; toString is the application's code, so it may fail or be long. */
    private static @Nullable String text(@Nullable Object value) {
        if (value == null) {
            return null;
        }
        String text;
        try {
            text = String.valueOf(value);
        } catch (RuntimeException | LinkageError e) {
            return "(toString failed: " + e.getClass().getName() + ")";
        }
        return text.length() <= MAX_INPUT_LENGTH ? text : text.substring(0, MAX_INPUT_LENGTH) + "...";
    }

    /** A loop's input count, or null when its inputs are not counted up front. */
    private static @Nullable Long total(Progress progress) {
        return progress.total().isPresent() ? progress.total().getAsLong() : null;
    }

    /** Inputs ended per second since the loop started. */
    private static double rate(Progress progress) {
        double seconds = progress.elapsed().toNanos() / 1e9;
        return seconds <= 0 ? 0 : progress.done() / seconds;
    }

    /** A running loop's estimated time left at the rate so far, or null when its total is unknown or none ended. */
    private static @Nullable Long etaMillis(Progress progress) {
        if (progress.total().isEmpty() || progress.done() == 0) {
            return null;
        }
        long left = Math.max(0, progress.total().getAsLong() - progress.done());
        return (long) (left / rate(progress) * 1000);
    }

    /** When a loop started, to the millisecond: {@code at}, the time of its snapshot, less the time it had run. */
    private static String startedAt(Progress progress, Instant at) {
        return at.minus(progress.elapsed()).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static EngineDescriptor engine(Map.Entry<String, Engine> entry) {
        Engine engine = entry.getValue();
        return new EngineDescriptor(
                entry.getKey(),
                engine.type(),
                engine.parallelism(),
                engine.stats().map(s -> s.activeCount()).orElse(-1),
                engine.stats().map(s -> s.queuedCount()).orElse(-1L));
    }

    private static RunningLoop running(Progress progress) {
        return new RunningLoop(
                progress.info().id(),
                progress.info().name(),
                progress.info().engine(),
                total(progress),
                progress.done(),
                progress.failed(),
                progress.retried(),
                progress.elapsed().toMillis(),
                rate(progress),
                etaMillis(progress),
                startedAt(progress, Instant.now()));
    }

    private static FinishedLoop finished(RecentLoops.Finished finished) {
        Progress progress = finished.progress();
        return new FinishedLoop(
                progress.info().id(),
                progress.info().name(),
                progress.info().engine(),
                finished.outcome().name().toLowerCase(Locale.ROOT),
                total(progress),
                progress.done(),
                progress.failed(),
                progress.retried(),
                progress.elapsed().toMillis(),
                startedAt(progress, finished.finishedAt()),
                finished.finishedAt().toString());
    }

    /**
     * What the endpoint returns.
     *
     * @param defaultEngine the default engine's name
     * @param engines the engines
     * @param running the loops running now, oldest first
     * @param recent the last loops that finished, newest first
     * @param limits the limits loops share, with their use
     */
    public record ParforDescriptor(
            String defaultEngine,
            List<EngineDescriptor> engines,
            List<RunningLoop> running,
            List<FinishedLoop> recent,
            List<LimitDescriptor> limits)
            implements OperationResponseBody {}

    /**
     * One limit that loops share.
     *
     * @param name its name
     * @param maxConcurrency the most tasks at once (0: no bound; null for a limit registered in code, not in
     *     {@code parfor.limits})
     * @param permitsPerSecond the average rate (0: no bound; null for a limit registered in code)
     * @param inUse tasks holding a permit now
     * @param waiting tasks waiting for a permit now
     * @param acquired permits handed out so far
     * @param rejected tasks that stopped waiting without a permit
     * @param waitMillis time tasks spent waiting, in total
     */
    public record LimitDescriptor(
            String name,
            @Nullable Integer maxConcurrency,
            @Nullable Double permitsPerSecond,
            int inUse,
            int waiting,
            long acquired,
            long rejected,
            long waitMillis)
            implements OperationResponseBody {}

    /**
     * One engine.
     *
     * @param name its name
     * @param type its type
     * @param parallelism its parallelism
     * @param active tasks running now (-1 when unknown)
     * @param queued tasks waiting (-1 when unknown)
     */
    public record EngineDescriptor(String name, String type, int parallelism, int active, long queued)
            implements OperationResponseBody {}

    /**
     * One running loop.
     *
     * @param id the loop's id
     * @param loop its name
     * @param engine its engine
     * @param total the number of inputs, or null when unknown
     * @param done inputs done
     * @param failed inputs failed
     * @param retried retries so far
     * @param elapsedMillis time since it started
     * @param rate inputs per second
     * @param etaMillis estimated time left, or null when unknown
     * @param startedAt when it started (ISO-8601)
     */
    // The actuator leaves null values out; these stay, as null, so that clients see the same keys every time.
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RunningLoop(
            String id,
            String loop,
            String engine,
            @Nullable Long total,
            long done,
            long failed,
            long retried,
            long elapsedMillis,
            double rate,
            @Nullable Long etaMillis,
            String startedAt)
            implements OperationResponseBody {}

    /**
     * One finished loop.
     *
     * @param id the loop's id
     * @param loop its name
     * @param engine its engine
     * @param outcome how it ended (success, partial, failure, timeout, cancelled)
     * @param total the number of inputs, or null when unknown
     * @param done inputs done
     * @param failed inputs failed
     * @param retried retries
     * @param elapsedMillis how long it ran
     * @param startedAt when it started (ISO-8601)
     * @param finishedAt when it ended (ISO-8601)
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record FinishedLoop(
            String id,
            String loop,
            String engine,
            String outcome,
            @Nullable Long total,
            long done,
            long failed,
            long retried,
            long elapsedMillis,
            String startedAt,
            String finishedAt)
            implements OperationResponseBody {}

    /**
     * One loop, running or finished.
     *
     * @param id the loop's id
     * @param loop its name
     * @param engine its engine
     * @param parallelism the most tasks in flight at once
     * @param state {@code running}, or how it ended (success, partial, failure, timeout, cancelled)
     * @param total the number of inputs, or null when unknown
     * @param done inputs done
     * @param failed inputs failed
     * @param retried retries so far
     * @param elapsedMillis time since it started, or how long it ran
     * @param rate inputs per second
     * @param etaMillis estimated time left, or null when unknown or ended
     * @param startedAt when it started (ISO-8601)
     * @param finishedAt when it ended (ISO-8601), or null while it runs
     * @param failures the first failures of a running loop, with index, input and message
     * @param options the options in effect of a running loop (engine, parallelism, chunk size, error policy, retries
     *     and backoff, timeouts, limit), empty for a finished one
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LoopDescriptor(
            String id,
            String loop,
            String engine,
            int parallelism,
            String state,
            @Nullable Long total,
            long done,
            long failed,
            long retried,
            long elapsedMillis,
            double rate,
            @Nullable Long etaMillis,
            String startedAt,
            @Nullable String finishedAt,
            List<FailureDescriptor> failures,
            java.util.Map<String, String> options)
            implements OperationResponseBody {}

    /**
     * One failed input.
     *
     * @param index the input's index
     * @param input the input's text, cut at {@value #MAX_INPUT_LENGTH} characters
     * @param exception the failure's class name
     * @param message the failure's message
     * @param attempts how often the input ran
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record FailureDescriptor(
            long index,
            @Nullable String input,
            String exception,
            @Nullable String message,
            int attempts) implements OperationResponseBody {}

    /**
     * What cancelling did.
     *
     * @param id the id asked for
     * @param loop the loop's name, or null when no running loop has that id
     * @param cancelled whether this call cancelled the loop
     * @param message what happened
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record CancelDescriptor(String id, @Nullable String loop, boolean cancelled, String message)
            implements OperationResponseBody {}
}
