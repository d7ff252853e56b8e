package dev.parfor.reliability;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Live platform threads, for leak checks; the JDK's own virtual-thread carriers are not parfor's to count. */
final class Threads {

    private Threads() {}

    static Set<Thread> live() {
        Set<Thread> threads = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && !thread.getClass().getName().equals("jdk.internal.misc.CarrierThread")) {
                threads.add(thread);
            }
        }
        return threads;
    }

    /**
     * Starts what the JVM and parfor start once and keep (parfor's shared timer thread, the JDK's virtual-thread
     * unblocker and delay scheduler), so that a baseline taken afterwards only misses threads a loop should not keep.
     */
    static void warmUp() {
        for (Rig.Kind kind : Rig.Kind.values()) {
            try (Rig rig = Rig.start(kind)) {
                try {
                    rig.parfor().loop("warm-up").timeout(Duration.ofMillis(5)).map(List.of(1, 2), i -> {
                        Thread.sleep(60_000);
                        return i;
                    });
                } catch (dev.parfor.ParallelForException expected) {
                    // the deadline passed, as planned
                }
            }
        }
    }

    /** The threads alive now that were not alive at {@code baseline}. */
    static List<String> newSince(Set<Thread> baseline) {
        return live().stream()
                .filter(t -> !baseline.contains(t))
                .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : ""))
                .sorted()
                .toList();
    }

    /** Waits (up to a minute, as a hang guard) for every thread started since {@code baseline} to end. */
    static List<String> awaitNoneNewSince(Set<Thread> baseline) {
        long start = System.nanoTime();
        List<String> first = newSince(baseline);
        try {
            // Polled on this thread: Awaitility's own polling thread would count as a new one.
            await().pollInSameThread()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> newSince(baseline).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // fall through: the caller asserts on the list and names the threads
        }
        System.out.println("threads new right after the loops: " + first + "; settled in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        return newSince(baseline);
    }
}
