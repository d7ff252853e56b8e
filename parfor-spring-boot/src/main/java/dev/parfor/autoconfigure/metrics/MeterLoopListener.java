package dev.parfor.autoconfigure.metrics;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import dev.parfor.Outcome;
import dev.parfor.Progress;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Records the meters of the observation {@code parfor.loop} directly, for an application where nothing but metrics
 * would see the observation (no tracing, no other observation handler, the default convention): the timer
 * {@code parfor.loop} (engine, loop, outcome, exception, error) and the long task timer {@code parfor.loop.active}
 * (engine, loop), with the same names and tags as Micrometer's {@code DefaultMeterObservationHandler} gives them. The
 * meters of a loop are looked up once per engine, loop and outcome, so a loop costs two map lookups, a long-task
 * sample, one timer record and a slot in a small table between start and finish (no map node, no hash of the loop's
 * id). Thread-safe.
 */
final class MeterLoopListener implements LoopListener {

    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final String NONE = "none";
    private static final String NAME = DefaultParforLoopObservationConvention.NAME;

    private final MeterRegistry registry;
    private final PerLoop<Meters> meters = new PerLoop<>(Meters::new);
    private final StartedLoops<Active> running = new StartedLoops<>();

    MeterLoopListener(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A loop between start and finish: its meters and its long-task sample. */
    private record Active(LoopInfo loop, Meters meters, LongTaskTimer.Sample sample) implements StartedLoops.Kept {}

    /** The meters of one engine and loop. */
    private final class Meters {
        final String engine;
        final String loop;
        final LongTaskTimer active;
        final AtomicReferenceArray<Timer> clean = new AtomicReferenceArray<>(OUTCOMES.length);
        final ConcurrentHashMap<String, Timer> failed = new ConcurrentHashMap<>();

        Meters(String engine, String loop) {
            this.engine = engine;
            this.loop = loop;
            this.active = LongTaskTimer.builder(NAME + ".active")
                    .tags("engine", engine, "loop", loop)
                    .register(registry);
        }

        Timer timer(Outcome outcome, @Nullable Throwable error) {
            if (error == null) {
                Timer timer = clean.get(outcome.ordinal());
                if (timer == null) {
                    timer = register(outcome, NONE, NONE);
                    clean.set(outcome.ordinal(), timer);
                }
                return timer;
            }
            String exception = DefaultParforLoopObservationConvention.exception(error);
            String errorTag = error.getClass().getSimpleName();
            return failed.computeIfAbsent(
                    outcome.ordinal() + ":" + exception + ":" + errorTag,
                    key -> register(outcome, exception, errorTag));
        }

        private Timer register(Outcome outcome, String exception, String error) {
            return registry.timer(NAME, tags(engine, loop, outcome.name().toLowerCase(Locale.ROOT), exception, error));
        }
    }

    /** The tags of the timer {@code parfor.loop}, as the observation's meter handler makes them. */
    static Tags tags(String engine, String loop, String outcome, String exception, String error) {
        return Tags.of("engine", engine, "loop", loop, "outcome", outcome, "exception", exception, "error", error);
    }

    @Override
    public void loopStarted(LoopInfo loop) {
        Meters of = meters.get(loop);
        running.put(new Active(loop, of, of.active.start()));
    }

    @Override
    public void loopFinished(LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
        Active active = running.remove(loop);
        if (active != null) {
            active.meters.timer(outcome, error).record(active.sample.stop(), TimeUnit.NANOSECONDS);
        } else {
            meters.get(loop).timer(outcome, error).record(progress.elapsed().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public String toString() {
        return "parfor.loop meters";
    }
}
