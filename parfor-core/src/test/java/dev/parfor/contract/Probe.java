package dev.parfor.contract;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a test shares with loop bodies that may run on another engine's threads, in this JVM: counters, latches and
 * sets, registered under an id unique to one test run. A body captures only the id (a string), so it stays
 * serializable, and looks the probe up with {@link #of(String)} wherever it runs. Members of a cluster that run in
 * the test JVM see the same registry; members in other JVMs do not, so the portable suite runs on members in this
 * JVM only.
 */
public final class Probe implements AutoCloseable {

    private static final Map<String, Probe> PROBES = new ConcurrentHashMap<>();

    private final String id;
    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();
    private final Map<String, Set<Object>> sets = new ConcurrentHashMap<>();

    private Probe(String id) {
        this.id = id;
    }

    /** Registers a new probe under a fresh id. */
    public static Probe open() {
        Probe probe = new Probe("probe-" + UUID.randomUUID());
        PROBES.put(probe.id, probe);
        return probe;
    }

    /**
     * The probe registered under {@code id}.
     *
     * @throws IllegalStateException when there is none: the body runs in another JVM, or after its test ended
     */
    public static Probe of(String id) {
        Probe probe = PROBES.get(id);
        if (probe == null) {
            throw new IllegalStateException("no probe '" + id
                    + "' in this JVM: the body runs in a JVM other than the test's, or after its test ended");
        }
        return probe;
    }

    public String id() {
        return id;
    }

    /** The counter {@code name}, created at zero on first use. */
    public AtomicInteger counter(String name) {
        return counters.computeIfAbsent(name, k -> new AtomicInteger());
    }

    /** Creates the latch {@code name} with {@code count}, replacing none: each name is set up once per test. */
    public CountDownLatch newLatch(String name, int count) {
        CountDownLatch latch = new CountDownLatch(count);
        if (latches.putIfAbsent(name, latch) != null) {
            throw new IllegalStateException("latch '" + name + "' exists already in probe " + id);
        }
        return latch;
    }

    /** The latch {@code name} the test created with {@link #newLatch}. */
    public CountDownLatch latch(String name) {
        CountDownLatch latch = latches.get(name);
        if (latch == null) {
            throw new IllegalStateException("no latch '" + name + "' in probe " + id);
        }
        return latch;
    }

    /** The concurrent set {@code name}, created empty on first use. */
    public Set<Object> set(String name) {
        return sets.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet());
    }

    /** Releases every latch, so that no body is left waiting, and removes the probe from the registry. */
    @Override
    public void close() {
        latches.values().forEach(latch -> {
            while (latch.getCount() > 0) {
                latch.countDown();
            }
        });
        PROBES.remove(id);
    }
}
