package dev.parfor.benchmarks;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Workload 6: the Hazelcast engine with two members in separate JVMs on loopback. Measured only when the build has
 * the Hazelcast engine ({@code dev.parfor.hazelcast}).
 */
final class HazelcastWorkload {

    static final String ENGINE_CLASS = "dev.parfor.hazelcast.HazelcastEngine";

    private HazelcastWorkload() {}

    /** Why the workload cannot run in this build, or {@code null} when it can. */
    static @Nullable String unavailable() {
        try {
            Class.forName(ENGINE_CLASS, false, HazelcastWorkload.class.getClassLoader());
            Class.forName("com.hazelcast.core.Hazelcast", false, HazelcastWorkload.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return "not measured yet: the Hazelcast engine (" + ENGINE_CLASS + ") is not in this build";
        }
        return "not measured yet: the harness has no Hazelcast workload for this engine version";
    }

    static List<Row> run(Workloads.Config config) {
        throw new IllegalStateException(String.valueOf(unavailable()));
    }
}
