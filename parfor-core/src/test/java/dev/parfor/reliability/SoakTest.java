package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Minutes of mixed loops with faults on every local engine (successes, fail-fast and collected failures, retried
 * transient failures, loop and task deadlines, streams closed early, interrupted callers, nested loops), with heap and
 * thread counts sampled. Tagged {@code soak}: left out of the default build and run by {@code -Psoak}. The duration is
 * {@code -Dparfor.soak.duration=PT3M} (ISO-8601). {@code @Timeout} is a hang guard.
 */
@Tag("soak")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class SoakTest {

    private static final Figures FIGURES = new Figures("soak");
    private static final long MB = 1024 * 1024;

    private final Random random = new Random(Long.getLong("parfor.soak.seed", 42L));
    private int faults;

    @Test
    void shouldKeepHeapAndThreadsFlatOverMinutesOfMixedLoopsWithFaults() throws Exception {
        Duration duration = Duration.parse(System.getProperty("parfor.soak.duration", "PT3M"));
        Duration sampleEvery = duration.dividedBy(30);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Threads.warmUp();
        Set<Thread> before = Threads.live();
        Map<Rig.Kind, Rig> rigs = new EnumMap<>(Rig.Kind.class);
        for (Rig.Kind kind : Rig.Kind.values()) {
            rigs.put(kind, Rig.start(kind));
        }
        List<long[]> samples = new ArrayList<>(); // {heap bytes after GC, live threads}
        long loops = 0;
        long inputs = 0;
        long end = System.nanoTime() + duration.toNanos();
        long nextSample = System.nanoTime() + sampleEvery.toNanos();
        try {
            while (System.nanoTime() < end) {
                Rig.Kind kind = Rig.Kind.values()[random.nextInt(Rig.Kind.values().length)];
                inputs += oneLoop(rigs.get(kind).parfor(), kind);
                loops++;
                if (System.nanoTime() >= nextSample) {
                    nextSample = System.nanoTime() + sampleEvery.toNanos();
                    System.gc();
                    samples.add(new long[] {
                        memory.getHeapMemoryUsage().getUsed(), Threads.live().size()
                    });
                }
            }
        } finally {
            rigs.values().forEach(Rig::close);
        }
        List<String> leaked = Threads.awaitNoneNewSince(before);

        // The first fifth warms up (class loading, JIT, pools reaching their size); compare the rest.
        List<long[]> steady = samples.subList(samples.size() / 5, samples.size());
        long heapEarly = median(steady.subList(0, Math.max(1, steady.size() / 4)), 0);
        long heapLate = median(steady.subList(steady.size() - Math.max(1, steady.size() / 4), steady.size()), 0);
        long threadsEarly = median(steady.subList(0, Math.max(1, steady.size() / 4)), 1);
        long threadsLate = median(steady.subList(steady.size() - Math.max(1, steady.size() / 4), steady.size()), 1);
        FIGURES.set("duration (s)", duration.toSeconds());
        FIGURES.set("loops run", loops);
        FIGURES.set("inputs", inputs);
        FIGURES.set("faults injected", faults);
        FIGURES.set("inputs lost", 0);
        FIGURES.set("heap after GC, early (MB)", heapEarly / MB);
        FIGURES.set("heap after GC, late (MB)", heapLate / MB);
        FIGURES.set("live threads, early", threadsEarly);
        FIGURES.set("live threads, late", threadsLate);
        FIGURES.set("threads leaked", leaked.size());
        FIGURES.set("samples", samples.size());
        FIGURES.write();

        assertThat(samples).as("samples taken").hasSizeGreaterThanOrEqualTo(10);
        assertThat(heapLate).as("heap after GC, late vs early").isLessThanOrEqualTo(heapEarly + 64 * MB);
        assertThat(threadsLate).as("live threads, late vs early").isLessThanOrEqualTo(threadsEarly + 4);
        assertThat(leaked).as("threads left after the engines closed").isEmpty();
    }

    private static long median(List<long[]> samples, int column) {
        long[] values = samples.stream().mapToLong(s -> s[column]).sorted().toArray();
        return values[values.length / 2];
    }

    /** Runs one random loop and checks it; returns how many inputs it had. */
    private int oneLoop(ParallelFor parfor, Rig.Kind kind) throws Exception {
        int size = random.nextInt(2_000);
        List<Integer> inputs = IntStream.range(0, size).boxed().toList();
        switch (random.nextInt(9)) {
            case 0 ->
                assertThat(parfor.map(inputs, i -> i + 1))
                        .isEqualTo(inputs.stream().map(i -> i + 1).toList());
            case 1 -> {
                int failing = size == 0 ? -1 : random.nextInt(size);
                if (failing < 0) {
                    return 0;
                }
                ParallelForException e = catchThrowableOfType(
                        ParallelForException.class,
                        () -> parfor.map(inputs, i -> {
                            if (i == failing) {
                                throw new IllegalStateException("broken " + i);
                            }
                            return i;
                        }));
                assertThat(e.failures().get(0).index()).isEqualTo(failing);
                faults++;
            }
            case 2 -> {
                LoopResult<Integer> r = parfor.loop("soak-collect")
                        .onError(ErrorPolicy.COLLECT)
                        .run(inputs, i -> {
                            if (i % 11 == 5) {
                                throw new IllegalStateException("broken " + i);
                            }
                            return i;
                        });
                long expectedFailures = inputs.stream().filter(i -> i % 11 == 5).count();
                assertThat(r.failures()).hasSize((int) expectedFailures);
                for (int i = 0; i < size; i++) {
                    assertThat(r.values().get(i)).isEqualTo(i % 11 == 5 ? null : i);
                }
                faults += (int) expectedFailures;
            }
            case 3 -> {
                AtomicIntegerArray attempts = new AtomicIntegerArray(Math.max(1, size));
                List<Integer> r = parfor.loop("soak-retry")
                        .retries(2, Duration.ZERO)
                        .map(inputs, i -> {
                            if (i % 13 == 0 && attempts.incrementAndGet(i) < 3) {
                                throw new IllegalStateException("transient " + i);
                            }
                            return i;
                        });
                assertThat(r).isEqualTo(inputs);
                faults += 2 * (int) inputs.stream().filter(i -> i % 13 == 0).count();
            }
            case 4 -> {
                ParallelForException e = catchThrowableOfType(
                        ParallelForException.class,
                        () -> parfor.loop("soak-deadline")
                                .timeout(Duration.ofMillis(20))
                                .map(List.of(1, 2, 3), i -> {
                                    Thread.sleep(60_000);
                                    return i;
                                }));
                assertThat(e.outcome()).isEqualTo(Outcome.TIMEOUT);
                faults++;
                return 3;
            }
            case 5 -> {
                LoopResult<Integer> r = parfor.loop("soak-task-deadline")
                        .onError(ErrorPolicy.COLLECT)
                        .taskTimeout(Duration.ofMillis(10))
                        .run(List.of(1, 2, 3, 4), i -> {
                            if (i == 2) {
                                Thread.sleep(60_000);
                            }
                            return i;
                        });
                assertThat(r.failures()).hasSize(1);
                assertThat(r.values()).containsExactly(1, null, 3, 4);
                faults++;
                return 4;
            }
            case 6 -> {
                try (Stream<Integer> s =
                        parfor.loop("soak-stream").stream(Stream.iterate(0, i -> i + 1)::iterator, i -> i)) {
                    assertThat(s.limit(100).toList())
                            .isEqualTo(IntStream.range(0, 100).boxed().toList());
                }
                faults++;
                return 100;
            }
            case 7 -> {
                AtomicInteger started = new AtomicInteger();
                Thread caller = Thread.ofPlatform().start(() -> {
                    try {
                        parfor.map(IntStream.range(0, 50).boxed().toList(), i -> {
                            started.incrementAndGet();
                            Thread.sleep(60_000);
                            return i;
                        });
                    } catch (ParallelForException expected) {
                        assertThat(expected.outcome()).isEqualTo(Outcome.CANCELLED);
                    }
                });
                while (started.get() == 0 && caller.isAlive()) {
                    Thread.onSpinWait();
                }
                caller.interrupt();
                caller.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(caller.isAlive())
                        .as("interrupted caller still blocked")
                        .isFalse();
                faults++;
                return 50;
            }
            default -> {
                List<List<Integer>> nested = parfor.map(
                        List.of(0, 1, 2),
                        a -> parfor.map(List.of(0, 1, 2), b -> parfor.map(List.of(0, 1, 2), c -> c)).stream()
                                .map(l -> l.stream().mapToInt(Integer::intValue).sum())
                                .toList());
                assertThat(nested).containsExactly(List.of(3, 3, 3), List.of(3, 3, 3), List.of(3, 3, 3));
                return 27;
            }
        }
        return size;
    }
}
