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
