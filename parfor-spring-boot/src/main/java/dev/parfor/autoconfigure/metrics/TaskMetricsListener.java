package dev.parfor.autoconfigure.metrics;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.TaskOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Counts tasks by engine, loop and outcome ({@code parfor.tasks}) and, when turned on, times them
 * ({@code parfor.task}). Thread-safe; called from worker threads.
 */
final class TaskMetricsListener implements LoopListener {

    static final String TASKS = "parfor.tasks";
    static final String TASK_TIMER = "parfor.task";

    private final MeterRegistry registry;
    private final boolean timeTasks;
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();

    TaskMetricsListener(MeterRegistry registry, boolean timeTasks) {
        this.registry = registry;
        this.timeTasks = timeTasks;
    }

    @Override
    public void tasksEnded(LoopInfo loop, TaskOutcome outcome, int count, long nanos) {
        List<String> key = List.of(loop.engine(), loop.name(), outcome.name().toLowerCase(Locale.ROOT));
        counters.computeIfAbsent(
                        key,
                        k -> Counter.builder(TASKS)
                                .description("Tasks of parfor loops that ended, by outcome")
                                .baseUnit("tasks")
                                .tag("engine", k.get(0))
                                .tag("loop", k.get(1))
                                .tag("outcome", k.get(2))
                                .register(registry))
                .increment(count);
        if (timeTasks && count > 0 && nanos > 0) {
            Timer timer = timers.computeIfAbsent(
                    key,
                    k -> Timer.builder(TASK_TIMER)
                            .description("Time one task of a parfor loop took")
                            .tag("engine", k.get(0))
                            .tag("loop", k.get(1))
                            .tag("outcome", k.get(2))
                            .register(registry));
            // Tasks are reported per chunk, with their time together: each counts for its share.
            long each = nanos / count;
            for (int i = 0; i < count; i++) {
                timer.record(each, TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public String toString() {
        return "parfor.tasks counter";
    }
}
