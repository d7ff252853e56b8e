package dev.parfor.autoconfigure.actuate;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.parfor.ParallelFor;
import dev.parfor.Progress;
import dev.parfor.spi.Engine;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The read-only actuator endpoint {@code parfor}: the engines with their load, the loops running now with progress
 * and ETA, and the last loops that finished, newest first.
 */
@Endpoint(id = "parfor")
public class ParforEndpoint {

    private final ParallelFor parallelFor;
    private final RecentLoops recent;

    /**
     * Creates the endpoint.
     *
     * @param parallelFor the instance to describe
     * @param recent the loops that finished last
     */
    public ParforEndpoint(ParallelFor parallelFor, RecentLoops recent) {
        this.parallelFor = parallelFor;
        this.recent = recent;
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
        return new ParforDescriptor(parallelFor.defaultEngine(), engines, running, finished);
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
                progress.id(),
                progress.loop(),
                progress.engine(),
                progress.total().isPresent() ? progress.total().getAsLong() : null,
                progress.done(),
                progress.failed(),
                progress.retried(),
                progress.elapsed().toMillis(),
                progress.rate(),
                progress.eta().map(java.time.Duration::toMillis).orElse(null),
                progress.startedAt().toString());
    }

    private static FinishedLoop finished(RecentLoops.Finished finished) {
        Progress progress = finished.progress();
        return new FinishedLoop(
                progress.id(),
                progress.loop(),
                progress.engine(),
                finished.outcome().name().toLowerCase(Locale.ROOT),
                progress.total().isPresent() ? progress.total().getAsLong() : null,
                progress.done(),
                progress.failed(),
                progress.retried(),
                progress.elapsed().toMillis(),
                progress.startedAt().toString(),
                finished.finishedAt().toString());
    }

    /** How many failures {@link #loop(String)} lists; the count of all failures is always given. */
    public static final int FAILURES_SHOWN = 10;

    private static final int MAX_TEXT_CHARS = 120;

    /**
     * Describes one loop: running now, or among the last loops that finished.
     *
     * @param id the loop's id, as listed by {@link #parfor()}
     * @return the loop with its progress, first failures and options, or {@code null} (404 over HTTP) when no loop
     *     has that id
     */
    @ReadOperation
    public @Nullable LoopDescriptor loop(@org.springframework.boot.actuate.endpoint.annotation.Selector String id) {
        for (dev.parfor.RunningLoop loop : parallelFor.running()) {
            if (loop.info().id().equals(id)) {
                return loop(loop.info(), loop.progress(), loop.failures(), null, null);
            }
        }
        for (RecentLoops.Finished finished : recent.newestFirst()) {
            if (finished.loop().id().equals(id)) {
                return loop(finished.loop(), finished.progress(), List.of(), finished.outcome(), finished.finishedAt());
            }
        }
        return null;
    }

    /**
     * Cancels one running loop, as a caller interrupt would: nothing more is started, running tasks are interrupted,
     * and the loop's caller gets a {@link dev.parfor.ParallelForException} with outcome {@code CANCELLED} that says
     * it was cancelled from outside. A write operation: Spring Boot exposes it only where the endpoint is exposed and
     * {@code management.endpoint.parfor.access} is {@code unrestricted} (the default once exposed).
     *
     * @param id the loop's id, as listed by {@link #parfor()}
     * @return the loop and whether this call stopped it; 404 over HTTP when no loop has that id
     */
    @org.springframework.boot.actuate.endpoint.annotation.DeleteOperation
    public org.springframework.boot.actuate.endpoint.web.WebEndpointResponse<CancelDescriptor> cancel(
            @org.springframework.boot.actuate.endpoint.annotation.Selector String id) {
        for (dev.parfor.RunningLoop loop : parallelFor.running()) {
            if (loop.info().id().equals(id)) {
                boolean cancelled = loop.cancel();
                return new org.springframework.boot.actuate.endpoint.web.WebEndpointResponse<>(
                        new CancelDescriptor(id, loop.info().name(), cancelled, cancelled ? "cancelled" : "finished"));
            }
        }
        for (RecentLoops.Finished finished : recent.newestFirst()) {
            if (finished.loop().id().equals(id)) {
                return new org.springframework.boot.actuate.endpoint.web.WebEndpointResponse<>(new CancelDescriptor(
                        id,
                        finished.loop().name(),
                        false,
                        finished.outcome().name().toLowerCase(Locale.ROOT)));
            }
        }
        return new org.springframework.boot.actuate.endpoint.web.WebEndpointResponse<>(
                org.springframework.boot.actuate.endpoint.web.WebEndpointResponse.STATUS_NOT_FOUND);
    }

    private static LoopDescriptor loop(
            dev.parfor.LoopInfo info,
            Progress progress,
            List<dev.parfor.TaskFailure> failures,
            dev.parfor.@Nullable LoopOutcome outcome,
            java.time.@Nullable Instant finishedAt) {
        List<FailureDescriptor> shown = failures.stream()
                .limit(FAILURES_SHOWN)
                .map(f -> new FailureDescriptor(f.index(), text(f.input()), describe(f.error()), f.attempts()))
                .toList();
        return new LoopDescriptor(
                info.id(),
                info.name(),
                info.engine(),
                outcome == null ? "running" : outcome.name().toLowerCase(Locale.ROOT),
                progress.total().isPresent() ? progress.total().getAsLong() : null,
                progress.done(),
                progress.failed(),
                progress.retried(),
                progress.elapsed().toMillis(),
                progress.rate(),
                outcome == null
                        ? progress.eta().map(java.time.Duration::toMillis).orElse(null)
                        : null,
                progress.startedAt().toString(),
                finishedAt == null ? null : finishedAt.toString(),
                shown,
                new OptionsDescriptor(info.engine(), info.engineType(), info.parallelism()));
    }

    /** A short, single-line form of an input; its {@code toString} is the application's code, so it is fenced. */
    private static String text(@Nullable Object input) {
        if (input == null) {
            return "null";
        }
        String text;
        try {
            text = String.valueOf(input);
        } catch (Throwable e) {
            text = input.getClass().getName() + " (its toString failed: "
                    + e.getClass().getName() + ")";
        }
        return shorten(text);
    }

    private static String describe(Throwable error) {
        String text;
        try {
            text = String.valueOf(error);
        } catch (Throwable e) {
            text = error.getClass().getName() + " (its message could not be read)";
        }
        return shorten(text);
    }

    private static String shorten(String text) {
        String line = text.replace('\n', ' ').replace('\r', ' ');
        return line.length() <= MAX_TEXT_CHARS ? line : line.substring(0, MAX_TEXT_CHARS - 3) + "...";
    }

    /**
     * One loop, as {@link #loop(String)} returns it.
     *
     * @param id the loop's id
     * @param loop its name
     * @param engine its engine
     * @param state {@code running}, or how it ended (success, partial, failure, timeout, cancelled)
     * @param total the number of inputs, or null when unknown
     * @param done inputs done
     * @param failed inputs failed
     * @param retried retries so far
     * @param elapsedMillis time since it started, or how long it ran
     * @param rate inputs per second
     * @param etaMillis estimated time left, or null when unknown or finished
     * @param startedAt when it started (ISO-8601)
     * @param finishedAt when it ended (ISO-8601), or null while it runs
     * @param failures the first {@value #FAILURES_SHOWN} failed inputs of a running loop, in input order
     *     ({@code failed} counts them all; a finished loop's failures are not kept)
     * @param options the options in effect that parfor reports for a running loop
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
    public record LoopDescriptor(
            String id,
            String loop,
            String engine,
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
            OptionsDescriptor options)
            implements org.springframework.boot.actuate.endpoint.OperationResponseBody {}

    /**
     * One failed input.
     *
     * @param index its position in the loop's inputs
     * @param input its short form
     * @param message the exception of its last attempt, as one line
     * @param attempts how many times the body ran for it
     */
    public record FailureDescriptor(long index, String input, String message, int attempts)
            implements org.springframework.boot.actuate.endpoint.OperationResponseBody {}

    /**
     * The options in effect for a loop, as far as parfor reports them.
     *
     * @param engine the engine's name
     * @param engineType the engine's type
     * @param parallelism how many of the loop's tasks may run at once
     */
    public record OptionsDescriptor(String engine, String engineType, int parallelism)
            implements org.springframework.boot.actuate.endpoint.OperationResponseBody {}

    /**
     * The answer to a cancel request.
     *
     * @param id the loop's id
     * @param loop its name
     * @param cancelled whether this request stopped the loop ({@code false} when it had already ended)
     * @param state {@code cancelled}, or how the loop had already ended
     */
    public record CancelDescriptor(String id, String loop, boolean cancelled, String state)
            implements org.springframework.boot.actuate.endpoint.OperationResponseBody {}

    /**
     * What the endpoint returns.
     *
     * @param defaultEngine the default engine's name
     * @param engines the engines
     * @param running the loops running now, oldest first
     * @param recent the last loops that finished, newest first
     */
    public record ParforDescriptor(
            String defaultEngine,
            List<EngineDescriptor> engines,
            List<RunningLoop> running,
            List<FinishedLoop> recent) {}

    /**
     * One engine.
     *
     * @param name its name
     * @param type its type
     * @param parallelism its parallelism
     * @param active tasks running now (-1 when unknown)
     * @param queued tasks waiting (-1 when unknown)
     */
    public record EngineDescriptor(String name, String type, int parallelism, int active, long queued) {}

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
            String startedAt) {}

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
            String finishedAt) {}
}
