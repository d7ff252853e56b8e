package dev.parfor;

import dev.parfor.spi.Chunk;
import dev.parfor.spi.ChunkOutcome;
import dev.parfor.spi.Engine;
import dev.parfor.spi.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jetbrains.lincheck.Lincheck;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Model-checks the chunk state machine ({@code NEW -> RUNNING -> ENDED} in {@link LocalChunk}) with Lincheck: the
 * threads of each scenario are run under Lincheck's scheduler, which explores their interleavings (switching threads
 * at every shared read, write, lock and CAS) instead of relying on the operating system to hit a rare one.
 *
 * <p>Each scenario races, on the first chunk of a loop whose engine keeps the chunks it is given (a remote engine, as
 * far as the scheduler knows), what may end that chunk: the engine's {@link Chunk#complete} and {@link Chunk#fail},
 * {@link Chunk#run()} on another thread, and {@link RunningLoop#cancel()}. Then the test thread, as the loop's caller,
 * runs the other chunks and waits for the loop. What must hold in every interleaving: the caller returns; the loop
 * ends exactly once ({@code loopFinished} once, after {@code loopStarted}) and leaves the running-loops registry; an
 * uncancelled loop has exactly one outcome per input (its value, or the engine's failure), and its task events add up
 * to the number of inputs, neither lost nor counted twice.
 *
 * <p>Runs only in the long stress mode ({@code -Dparfor.stress=long}): loading the Lincheck agent and instrumenting the
 * scheduler takes about 12 s, and each explored interleaving about a second on a two-core machine, too much for
 * every build; {@link ChunkRaceStressTest} covers the same races with real threads in every build.
 * {@code -Dparfor.stress.invocations=N} sets the interleavings per scenario (200 by default). The agent is loaded
 * dynamically, which the build allows ({@code -XX:+EnableDynamicAgentLoading}).
 */
@EnabledIfSystemProperty(named = "parfor.stress", matches = "long")
class ChunkStateMachineModelTest {

    private static final List<Integer> INPUTS = List.of(1, 2, 3, 4);
    private static final Chunk.Task TIMES_TEN = (index, input, context) -> (Integer) input * 10;

    /** Interleavings explored per scenario; each costs about a second on a two-core machine. */
    private static final int INVOCATIONS = Integer.getInteger("parfor.stress.invocations", 200);

    @Test
    void shouldEndTheLoopOnceWhenCompleteAndCancelRaceOnAChunk() {
        check(Racer.COMPLETE, Racer.CANCEL);
    }

    @Test
    void shouldEndTheLoopOnceWhenRunAndCancelRaceOnAChunk() {
        check(Racer.RUN, Racer.CANCEL);
    }

    @Test
    void shouldReportOneOutcomePerInputWhenCompleteFailAndRunRaceOnAChunk() {
        check(Racer.COMPLETE, Racer.FAIL, Racer.RUN);
    }

    private static void check(Racer... racers) {
        // Once outside the model checker: class initialisation (loggers, the loop id's random prefix) is not part of
        // the race and only slows every explored interleaving down.
        scenario(racers).run();
        Lincheck.runConcurrentTest(INVOCATIONS, scenario(racers));
    }

    private enum Racer {
        COMPLETE,
        FAIL,
        RUN,
        CANCEL
    }

    /** Assertions in here are plain checks: Lincheck instruments whatever the scenario calls, AssertJ included. */
    private static Runnable scenario(Racer... racers) {
        return () -> {
            Keeping engine = new Keeping();
            Recorder recorder = new Recorder();
            LoopRuntime runtime = new LoopRuntime(
                    Map.of("keeping", engine),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    List.of(recorder),
                    List.of(),
                    "keeping",
                    true);
            LoopRun run = LoopRun.start(
                    runtime,
                    "model",
                    LoopOptions.none().chunkSize(2).onError(ErrorPolicy.COLLECT),
                    INPUTS,
                    TIMES_TEN,
                    null,
                    Plan.Mode.ALL,
                    0);
            run.pump();
            Chunk first = engine.chunk(0);
            ChunkOutcome outcome = ChunkOutcome.execute(TIMES_TEN, 0, first.inputs(), null, () -> false, null);
            IllegalStateException gaveUp = new IllegalStateException("the engine gave up on the chunk");
            List<Thread> threads = new ArrayList<>();
            for (Racer racer : racers) {
                Runnable action = switch (racer) {
                    case COMPLETE -> () -> first.complete(outcome);
                    case FAIL -> () -> first.fail(gaveUp);
                    case RUN -> first::run;
                    case CANCEL -> run::cancel;
                };
                threads.add(new Thread(action));
            }
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    throw new AssertionError("interrupted while joining a racer", e);
                }
            }
            // The caller's part: the engine's other chunks run here, then the caller waits for the loop.
            for (int i = 1; i < engine.size(); i++) {
                engine.chunk(i).run();
            }
            ParallelForException stopped = null;
            try {
                run.await(new ArrayList<>(), 0);
                run.finish(false);
            } catch (ParallelForException e) {
                stopped = e;
            }
            expect(recorder.started == 1, "loopStarted once, was " + recorder.started);
            expect(recorder.finished == 1, "loopFinished once, was " + recorder.finished);
            expect(!runtime.running.contains(run), "the loop left the running-loops registry");
            if (stopped != null) {
                expect(
                        List.of(racers).contains(Racer.CANCEL) && stopped.outcome() == Outcome.CANCELLED,
                        "only a cancel stops the loop, but it ended with " + stopped.outcome());
                expect(recorder.error == stopped, "loopFinished got the exception the caller got");
                expect(recorder.tasks <= INPUTS.size(), "at most one task event per input, got " + recorder.tasks);
                return;
            }
            List<@Nullable Object> values = run.values();
            List<TaskFailure> failures = run.failures();
            expect(values.size() == INPUTS.size(), "one value slot per input, got " + values);
            for (int i = 0; i < INPUTS.size(); i++) {
                long index = i;
                TaskFailure failure = failures.stream()
                        .filter(f -> f.index() == index)
                        .findFirst()
                        .orElse(null);
                if (failure == null) {
                    expect(
                            Integer.valueOf(INPUTS.get(i) * 10).equals(values.get(i)),
                            "input #" + i + " has its value, got " + values);
                } else {
                    expect(failure.error() == gaveUp, "input #" + i + " failed only as the engine said");
                    expect(values.get(i) == null, "input #" + i + " has a failure and no value, got " + values);
                }
            }
            expect(
                    recorder.tasks == INPUTS.size(),
                    "one task event per input, got " + recorder.tasks + " for " + INPUTS.size());
        };
    }

    private static void expect(boolean holds, String what) {
        if (!holds) {
            throw new AssertionError("expected " + what);
        }
    }

    /** An engine that keeps its chunks for the test to end; remote as far as the scheduler knows. */
    private static final class Keeping implements Engine {
        private final List<Chunk> chunks = new ArrayList<>();

        @Override
        public String type() {
            return "keeping";
        }

        @Override
        public int parallelism() {
            return 2;
        }

        @Override
        public Placement placement() {
            return Placement.REMOTE;
        }

        @Override
        public synchronized void execute(Chunk chunk) {
            chunks.add(chunk);
        }

        synchronized Chunk chunk(int i) {
            return chunks.get(i);
        }

        synchronized int size() {
            return chunks.size();
        }
    }

    /** Counts a loop's events; the scenario has one loop. */
    private static final class Recorder implements LoopListener {
        int started;
        int finished;
        int tasks;

        @Nullable
        Throwable error;

        @Override
        public synchronized void loopStarted(LoopInfo loop) {
            started++;
        }

        @Override
        public synchronized void tasksEnded(LoopInfo loop, Outcome outcome, int count, long nanos) {
            if (outcome == Outcome.SUCCESS || outcome == Outcome.FAILURE) {
                tasks += count;
            }
        }

        @Override
        public synchronized void loopFinished(
                LoopInfo loop, Outcome outcome, @Nullable Throwable error, Progress progress) {
            if (started != 1) {
                started = -1; // finished before it started: fails the check on started
            }
            finished++;
            this.error = error;
        }
    }
}
