package dev.parfor.hazelcast;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A Hazelcast member in a JVM of its own, for tests that kill members. Arguments: the cluster name and the base port
 * (see {@link TestCluster#config}). Prints {@code READY <member UUID>} once joined; stops when its standard input
 * closes (so it never outlives the test JVM), and halts by itself after a few minutes in any case.
 */
public final class MemberMain {

    private MemberMain() {}

    public static void main(String[] args) throws IOException {
        Thread guard = new Thread(() -> {
            try {
                TimeUnit.MINUTES.sleep(3);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(3);
        });
        guard.setDaemon(true);
        guard.start();
        HazelcastInstance member =
                Hazelcast.newHazelcastInstance(TestCluster.config(args[0], Integer.parseInt(args[1])));
        System.out.println("READY " + member.getCluster().getLocalMember().getUuid());
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the test to close our input
        }
        member.getLifecycleService().terminate();
        System.exit(0);
    }
}
