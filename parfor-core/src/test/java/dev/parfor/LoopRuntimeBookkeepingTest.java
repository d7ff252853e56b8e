package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopRuntimeBookkeepingTest {

    @Test
    void loopIdsAreTheJvmIdThenTheCountInBase36() {
        String one = LoopRuntime.loopId(1);
        assertThat(one).endsWith("-1");
        String prefix = one.substring(0, one.length() - 1);
        for (long count : new long[] {
            1,
            9,
            10,
            35,
            36,
            1295,
            1296,
            46_655,
            46_656,
            1_000_000,
            Integer.MAX_VALUE - 1L,
            Integer.MAX_VALUE,
            Integer.MAX_VALUE + 1L,
            1L << 40,
            Long.MAX_VALUE
        }) {
            assertThat(LoopRuntime.loopId(count)).isEqualTo(prefix + Long.toString(count, 36));
        }
    }

    @Test
    void theRunningSetHoldsMoreLoopsThanItsSlotsAndLetsOtherThreadsRemoveThem() throws Exception {
        Set<Object> running = new RunningSet<>();
        assertThat(running).isEmpty();
        List<Object> loops = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            Object loop = new Object();
            loops.add(loop);
            assertThat(running.add(loop)).isTrue();
        }
        assertThat(running).hasSize(150).containsExactlyInAnyOrderElementsOf(loops);
        // Loops end on other threads than the one that started them, in any order.
        CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 150; i += 2) {
                        assertThat(running.remove(loops.get(i))).isTrue();
                    }
                })
                .get(10, TimeUnit.SECONDS);
        assertThat(running).hasSize(75).doesNotContain(loops.get(0), loops.get(148));
        assertThat(running.remove(loops.get(0))).isFalse();
        for (int i = 149; i > 0; i -= 2) {
            assertThat(running.remove(loops.get(i))).isTrue();
        }
        assertThat(running).isEmpty();
        assertThat(running.isEmpty()).isTrue();
    }

    @Test
    void everyLoopOfManyRunningAtOnceIsListedUntilItEnds() throws Exception {
        int loops = 100;
        CountDownLatch release = new CountDownLatch(1);
        try (ParallelFor parfor = ParallelFor.create(Engines.virtualThreads(1_000));
                ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Integer>>> results = new ArrayList<>();
            for (int i = 0; i < loops; i++) {
                results.add(callers.submit(() -> parfor.loop("waits").map(List.of(1, 2), x -> {
                    release.await();
                    return x;
                })));
            }
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (parfor.running().size() < loops && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(parfor.running()).hasSize(loops);
            } finally {
                release.countDown();
            }
            for (Future<List<Integer>> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).containsExactly(1, 2);
            }
            assertThat(parfor.running()).isEmpty();
        }
    }
}
