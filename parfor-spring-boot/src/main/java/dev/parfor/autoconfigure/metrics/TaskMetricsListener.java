package dev.parfor.autoconfigure.metrics;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts tasks by engine, loop and outcome ({@code parfor.tasks}) and, when turned on, times them
 * ({@code parfor.task}). The meters of a loop are looked up once per engine, loop and outcome, then reused. Thread-safe;
 * called from worker threads.
 */
final class TaskMetricsListener implements LoopListener {

    static final String TASKS = "parfor.tasks";
    static final String TASK_TIMER = "parfor.task";

    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final String[] OUTCOME_TAGS = new String[OUTCOMES.length];

    static {
        for (Outcome outcome : OUTCOMES) {
            OUTCOME_TAGS[outcome.ordinal()] = outcome.name().toLowerCase(Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final boolean timeTasks;
    private final PerLoop<Meters> meters;

    TaskMetricsListener(MeterRegistry registry, boolean timeTasks) {
        this.registry = registry;
        this.timeTasks = timeTasks;
        this.meters = new PerLoop<>(Meters::new);
    }

    /** The meters of one engine and loop, made on first use per outcome. */
    private final class Meters {
        final String engine;
        final String loop;
        final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(OUTCOMES.length);
        final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(OUTCOMES.length);

        Meters(String engine, String loop) {
            this.engine = engine;
            this.loop = loop;
        }

        Counter counter(Outcome outcome) {
            Counter counter = counters.get(outcome.ordinal());
            if (counter == null) {
                // The registry returns the one meter of an id, so a race here registers nothing twice.
                counter = Counter.builder(TASKS)
                        .description("Tasks of parfor loops that ended, by outcome")
                        .baseUnit("tasks")
                        .tag("engine", engine)
                        .tag("loop", loop)
                        .tag("outcome", OUTCOME_TAGS[outcome.ordinal()])
                        .register(registry);
                counters.set(outcome.ordinal(), counter);
            }
            return counter;
        }

        Timer timer(Outcome outcome) {
            Timer timer = timers.get(outcome.ordinal());
            if (timer == null) {
                timer = Timer.builder(TASK_TIMER)
                        .description("Time one task of a parfor loop took")
                        .tag("engine", engine)
                        .tag("loop", loop)
                        .tag("outcome", OUTCOME_TAGS[outcome.ordinal()])
                        .register(registry);
                timers.set(outcome.ordinal(), timer);
            }
            return timer;
        }
    }

    @Override
    public void tasksEnded(LoopInfo loop, Outcome outcome, int count, long nanos) {
        Meters of = meters.get(loop);
        of.counter(outcome).increment(count);
        if (timeTasks && count > 0 && nanos > 0) {
            Timer timer = of.timer(outcome);
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
