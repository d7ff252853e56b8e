package dev.parfor.sample;

import com.hazelcast.cluster.Member;
import dev.parfor.ParallelFor;
import dev.parfor.hazelcast.HazelcastEngine;
import dev.parfor.spi.Engine;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The cluster demo: a loop on the {@code hazelcast} engine. The starter starts an embedded member bound to loopback;
 * a second instance of this application on the same machine (another {@code server.port}) joins it, and the loop's
 * tasks run on both.
 */
@RestController
class ClusterController {

    static final String LOOP = "cluster";
    static final String ENGINE = "hazelcast";

    private final ParallelFor parfor;

    /** One cluster loop at a time, so that the engine's per-member counts before and after belong to that loop. */
    private final ReentrantLock oneAtATime = new ReentrantLock();

    ClusterController(ParallelFor parfor) {
        this.parfor = parfor;
    }

    /**
     * One input of the cluster loop.
     *
     * @param index the input's position
     * @param millis how long its work takes
     */
    record Work(int index, int millis) implements Serializable {}

    /**
     * What one input's task sent back.
     *
     * @param index the input's position
     * @param square the result of the work
     * @param pid the process that ran it
     */
    record Done(int index, long square, long pid) implements Serializable {}

    /**
     * The cluster loop's report.
     *
     * @param loop the loop run
     * @param members the cluster's members
     * @param tasks number of inputs
     * @param tasksPerMember inputs run by each member in this loop, by member address
     * @param processes distinct processes that ran inputs
     * @param checksum sum of the results
     */
    record Report(
            LoopSummary loop,
            List<String> members,
            int tasks,
            Map<String, Long> tasksPerMember,
            long processes,
            long checksum) {}

    /**
     * The members of the cluster.
     *
     * @param local this instance's member
     * @param members every member
     */
    record Members(String local, List<String> members) {}

    /** Lists the cluster's members. */
    @GetMapping("/cluster/members")
    Members members() {
        HazelcastEngine engine = engine();
        return new Members(address(engine.instance().getCluster().getLocalMember()), members(engine));
    }

    /** Runs {@code tasks} inputs, each taking {@code ms} milliseconds, across the cluster. */
    @GetMapping("/cluster")
    Report run(@RequestParam(defaultValue = "200") int tasks, @RequestParam(defaultValue = "10") int ms)
            throws InterruptedException {
        Params.between(tasks, 1, 100_000, "tasks", 200);
        Params.between(ms, 0, 10_000, "ms", 10);
        HazelcastEngine engine = engine();
        List<Work> inputs =
                IntStream.range(0, tasks).mapToObj(i -> new Work(i, ms)).toList();

        oneAtATime.lockInterruptibly();
        try {
            Map<String, Long> before = engine.tasksPerMember();
            LoopSummary.Recorder recorder = new LoopSummary.Recorder();
            List<Done> results = parfor.loop(LOOP)
                    .engine(ENGINE)
                    .chunkSize(5)
                    .progress(recorder, LoopSummary.Recorder.INTERVAL)
                    .map(inputs, ClusterController::work);
            // The engine counts by member UUID; the page shows addresses.
            Map<String, String> addresses = new java.util.HashMap<>();
            for (Member member : engine.instance().getCluster().getMembers()) {
                addresses.put(member.getUuid().toString(), address(member));
            }
            Map<String, Long> perMember = new TreeMap<>();
            engine.tasksPerMember().forEach((member, count) -> {
                long ran = count - before.getOrDefault(member, 0L);
                if (ran > 0) {
                    perMember.merge(addresses.getOrDefault(member, member), ran, Long::sum);
                }
            });
            return new Report(
                    recorder.summary(),
                    members(engine),
                    tasks,
                    perMember,
                    results.stream().mapToLong(Done::pid).distinct().count(),
                    results.stream().mapToLong(Done::square).sum());
        } finally {
            oneAtATime.unlock();
        }
    }

    /** The loop body, run on whichever member Hazelcast routes the input's chunk to. */
    static Done work(Work work) throws InterruptedException {
        Thread.sleep(work.millis());
        return new Done(
                work.index(),
                (long) work.index() * work.index(),
                ProcessHandle.current().pid());
    }

    private HazelcastEngine engine() {
        Engine engine = parfor.engines().get(ENGINE);
        if (engine instanceof HazelcastEngine hazelcast) {
            return hazelcast;
        }
        throw new IllegalStateException("there is no engine '" + ENGINE + "' of type hazelcast (engines: "
                + parfor.engines().keySet() + "); keep com.hazelcast:hazelcast on the class path and"
                + " parfor.hazelcast.embedded.enabled=true");
    }

    private static List<String> members(HazelcastEngine engine) {
        return engine.instance().getCluster().getMembers().stream()
                .map(ClusterController::address)
                .toList();
    }

    private static String address(Member member) {
        return member.getAddress().getHost() + ":" + member.getAddress().getPort();
    }
}
