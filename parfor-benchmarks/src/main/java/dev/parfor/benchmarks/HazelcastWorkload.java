package dev.parfor.benchmarks;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.parfor.ParallelFor;
import dev.parfor.hazelcast.HazelcastEngine;
import dev.parfor.hazelcast.ParforHazelcast;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Workload 6: the Hazelcast engine with two members in separate JVMs on loopback. This JVM is one member and the
 * caller; it starts the second member in a JVM of its own and talks to it over that JVM's standard input and output.
 *
 * <ul>
 *   <li>6a: tasks per second for tiny bodies, parfor with automatic chunks (called from this member, and from a
 *       client of the two members) against one task per submit (parfor with {@code chunkSize(1)}, and plain
 *       {@code IExecutorService.submit} per input).
 *   <li>6b: bytes written to sockets by both JVMs for a loop of 1,000 tasks sharing a 100 MB context, against
 *       shipping the context inside every task (measured on a few tasks sent to the other member).
 * </ul>
 *
 * <p>Bytes are read from {@code /proc/self/io} ({@code wchar}: what the JVM handed to {@code write} calls, which is
 * how NIO sends on sockets); both JVMs log nothing, so it is network traffic.
 */
final class HazelcastWorkload {

    /** What Hazelcast asks for on JDK 9+ to use its fast paths (it warns at start-up without them). */
    static final List<String> JVM_OPTIONS = List.of(
            "--add-modules",
            "java.se",
            "--add-exports",
            "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens",
            "java.management/sun.management=ALL-UNNAMED",
            "--add-opens",
            "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    /** Runs of each parfor contender of 6a before the harness's own warm-up: until its loop is JIT-compiled. */
    private static final int PARFOR_WARMUP_RUNS = 200;

    private HazelcastWorkload() {}

    /** Why the workload cannot run here, or {@code null} when it can. */
    static @Nullable String unavailable() {
        try {
            Class.forName("dev.parfor.hazelcast.HazelcastEngine", false, HazelcastWorkload.class.getClassLoader());
            Class.forName("com.hazelcast.core.Hazelcast", false, HazelcastWorkload.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return "not measured: the Hazelcast engine (dev.parfor.hazelcast) is not in this build";
        }
        if (!Files.isReadable(Path.of("/proc/self/io"))) {
            return "not measured: bytes sent are read from /proc/self/io, which this system does not have";
        }
        return null;
    }

    /** The shared context: a large block of bytes. */
    record Blob(byte[] data) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** A body that reads the shared context. */
    static Integer probe(Integer index, Blob context) {
        byte[] data = context.data();
        return data[Math.floorMod(index * 7919, data.length)] + index;
    }

    /** A task that carries the context itself, as code without parfor would send it. */
    record ShippedTask(int index, Blob context) implements Callable<Integer>, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Integer call() {
            return probe(index, context);
        }
    }

    /** One task per input, sent with a plain IExecutorService. */
    record TinyTask(int input) implements Callable<Integer>, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Integer call() {
            return Work.tiny(input);
        }
    }

    static Config config(String cluster, int port, List<String> members) {
        Config config = ParforHazelcast.secureConfig(cluster, port, members, List.of("dev.parfor.benchmarks"));
        config.setProperty("hazelcast.logging.type", "none");
        return config;
    }

    static long bytesWritten() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("wchar:")) {
                    return Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/io: " + e, e);
        }
        throw new IllegalStateException("/proc/self/io has no wchar line");
    }

    /**
     * The second member's main loop: starts a member that joins {@code caller}, says {@code ready <port>}, then
     * answers {@code io} with its byte count until told {@code exit} or its input closes.
     */
    static void member(String cluster, String caller) throws IOException {
        PrintStream out = System.out;
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config(cluster, 5951, List.of(caller)));
        out.println("ready " + member.getCluster().getLocalMember().getAddress().getPort());
        out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null && !line.equals("exit")) {
                if (line.equals("io")) {
                    out.println("io " + bytesWritten());
                    out.flush();
                }
            }
        } finally {
            member.shutdown();
        }
        System.exit(0);
    }

    /** The other member's JVM. */
    private static final class OtherMember implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final PrintStream in;
        final int port;

        OtherMember(String cluster, String caller) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current()
                    .info()
                    .command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString()));
            command.addAll(List.of("-Xms512m", "-Xmx2g"));
            command.addAll(JVM_OPTIONS);
            command.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    Harness.class.getName(),
                    "--member",
                    cluster,
                    caller));
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
            String line = out.readLine();
            if (line == null || !line.startsWith("ready")) {
                throw new IllegalStateException("the second Hazelcast member did not start: " + line);
            }
            port = Integer.parseInt(line.substring("ready ".length()).trim());
        }

        long bytesWritten() throws IOException {
            in.println("io");
            String line = out.readLine();
            if (line == null || !line.startsWith("io ")) {
                throw new IllegalStateException("the second member answered '" + line + "' instead of its bytes");
            }
            return Long.parseLong(line.substring(3).trim());
        }

        @Override
        public void close() throws InterruptedException {
            in.println("exit");
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    static List<Row> run(Workloads.Config config) throws Exception {
        boolean quick = config.quick();
        String cluster = "parfor-bench-" + UUID.randomUUID().toString().substring(0, 8);
        HazelcastInstance self = Hazelcast.newHazelcastInstance(config(cluster, 5901, List.of()));
        String address =
                "127.0.0.1:" + self.getCluster().getLocalMember().getAddress().getPort();
        try (OtherMember other = new OtherMember(cluster, address)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (self.getCluster().getMembers().size() < 2) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the second member did not join within 60 s");
                }
                Thread.sleep(100);
            }
            Member remote = self.getCluster().getMembers().stream()
                    .filter(m -> !m.localMember())
                    .findFirst()
                    .orElseThrow();
            System.err.println("  two members: " + self.getCluster().getMembers());
            HazelcastEngine engine = HazelcastEngine.builder(self).build();
            HazelcastInstance client = client(cluster, address, other.port);
            try (ParallelFor parfor = ParallelFor.create(engine);
                    ParallelFor fromClient = ParallelFor.create(HazelcastEngine.create(client))) {
                List<Row> rows = new ArrayList<>(throughput(quick, self, parfor, engine, fromClient));
                rows.addAll(sharedContext(quick, self, remote, parfor, other));
                return rows;
            } finally {
                client.shutdown();
            }
        } finally {
            self.shutdown();
        }
    }

    /** A client of the two members, in this JVM: the caller of the client row, which runs no chunk itself. */
    private static HazelcastInstance client(String cluster, String self, int otherPort) {
        com.hazelcast.client.config.ClientConfig config = new com.hazelcast.client.config.ClientConfig();
        config.setClusterName(cluster);
        config.setProperty("hazelcast.logging.type", "none");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().setAddresses(List.of(self, "127.0.0.1:" + otherPort));
        return com.hazelcast.client.HazelcastClient.newHazelcastClient(config);
    }

    private static List<Row> throughput(
            boolean quick, HazelcastInstance self, ParallelFor parfor, HazelcastEngine engine, ParallelFor fromClient)
            throws Exception {
        int n = quick ? 200 : 10_000;
        String title = String.format(Locale.ROOT, "%,d tiny bodies on 2 Hazelcast members (2 JVMs, loopback)", n);
        List<Integer> inputs = IntStream.range(0, n).boxed().toList();
        List<Integer> expected = Peers.plainLoop(inputs, Work::tiny);
        IExecutorService executor = self.getExecutorService("bench-plain");
        // The runs of a few tens of milliseconds are many and interleaved; chunkSize(1), thousands of times slower,
        // is timed apart afterwards: between them, its seconds of garbage and backlog would fall on their samples.
        List<Bench.Contender> contenders = List.of(
                Bench.Contender.parfor("parfor hazelcast, auto chunks", () -> parfor.map(inputs, Work::tiny))
                        .asReference(),
                Bench.Contender.parfor(
                        "parfor hazelcast from a client, auto chunks",
                        () -> fromClient.loop("from-client").map(inputs, Work::tiny)),
                Bench.Contender.peer("IExecutorService.submit, one task per input", () -> {
                    List<Future<Integer>> futures = new ArrayList<>(n);
                    for (Integer input : inputs) {
                        futures.add(executor.submit(new TinyTask(input)));
                    }
                    List<Integer> out = new ArrayList<>(n);
                    for (Future<Integer> future : futures) {
                        out.add(future.get());
                    }
                    return out;
                }));
        // Why 6a was erratic (42.6 ms in one run, 189 ms in another): the first run of a contender is cold (the
        // sizer starts from chunks of one input, nothing is JIT-compiled, the members have not loaded the body), and on
        // a loaded machine it took over a second; the harness then treats it as a slow workload, counts that cold
        // run as a sample and takes only three. Warm every contender here first, so the timed runs are all warm and
        // numerous enough for a stable median.
        if (!quick) {
            for (int round = 0; round < 5; round++) {
                for (Bench.Contender contender : contenders) {
                    contender.run().call();
                }
            }
            // Five runs warm a plain submit per input (50,000 submissions), not a parfor loop: its code per loop and
            // per chunk runs once to a few times per run (8 chunks), so it is still being compiled for about 150 runs.
            // In one JVM, 250 loops in a row: median per block of 20 runs 35.4, 24.0, 22.2, 17.9, 13.7, 15.4, 12.0 ms,
            // then 11 to 14 ms, while the JIT's compilation time went up 929, 719, 545, 334, 408, 149 ms per block and
            // then under 250. Timed from run 11 on, that drift made a good part of the spread.
            for (int round = 0; round < PARFOR_WARMUP_RUNS; round++) {
                for (Bench.Contender contender : contenders) {
                    if (contender.kind() == Row.Kind.PARFOR) {
                        contender.run().call();
                    }
                }
            }
        }
        Bench.Settings base = Bench.Settings.of(quick);
        // 100 ms of quiet before each run: a loop of a few ms timed right after IExecutorService's 10,000 submits was
        // charged for what those left the two members to do (the parfor row's spread was ±28-33% in three runs
        // without the pause, ±7-19% in four with it). The pause is the same for every contender.
        Bench.Settings settings = quick ? base : new Bench.Settings(false, base.budgetNanos(), 15, 25, 5, 100);
        List<Row> rows =
                new ArrayList<>(new Bench("6a", title, settings, Workloads.sameInOrder(expected)).run(contenders));
        Bench.Settings slow = new Bench.Settings(quick, base.budgetNanos(), Math.min(3, base.minSamples()), 3, 1, 0);
        rows.addAll(new Bench("6a", title, slow, Workloads.sameInOrder(expected))
                .run(List.of(Bench.Contender.parfor(
                        "parfor hazelcast, chunkSize(1)",
                        () -> parfor.loop("one-per-task").chunkSize(1).map(inputs, Work::tiny)))));
        List<Row> out = new ArrayList<>();
        for (Row row : rows) {
            out.add(
                    row.ok()
                            ? row.withNote(String.format(Locale.ROOT, "%,.0f tasks/s", n / (row.medianNanos() / 1e9)))
                            : row);
        }
        Row first = out.get(0);
        out.set(0, first.withNote("tasks per member " + engine.tasksPerMember()));
        return out;
    }

    private static List<Row> sharedContext(
            boolean quick, HazelcastInstance self, Member remote, ParallelFor parfor, OtherMember other)
            throws Exception {
        int megabytes = quick ? 10 : 100;
        int tasks = quick ? 50 : 1_000;
        int shipped = quick ? 2 : 4;
        String title = String.format(Locale.ROOT, "%,d tasks sharing a %d MB context, 2 members", tasks, megabytes);
        byte[] data = new byte[megabytes << 20];
        new java.util.Random(42).nextBytes(data);
        Blob blob = new Blob(data);
        List<Integer> inputs = IntStream.range(0, tasks).boxed().toList();
        List<Integer> expected = new ArrayList<>(tasks);
        for (Integer input : inputs) {
            expected.add(probe(input, blob));
        }
        // parfor: the context goes into the cluster once; each member reads it once.
        long selfBefore = bytesWritten();
        long otherBefore = other.bytesWritten();
        long start = System.nanoTime();
        List<Integer> results = parfor.loop("shared-context").chunkSize(1).map(inputs, blob, HazelcastWorkload::probe);
        long parforNanos = System.nanoTime() - start;
        long parforBytes = bytesWritten() - selfBefore + other.bytesWritten() - otherBefore;
        if (!results.equals(expected)) {
            throw new IllegalStateException("parfor hazelcast returned wrong results for the shared context");
        }
        // Without parfor: the context travels inside each task; a few tasks to the other member show the cost.
        IExecutorService executor = self.getExecutorService("bench-plain");
        selfBefore = bytesWritten();
        otherBefore = other.bytesWritten();
        start = System.nanoTime();
        for (int i = 0; i < shipped; i++) {
            Integer value =
                    executor.submitToMember(new ShippedTask(i, blob), remote).get();
            if (!value.equals(expected.get(i))) {
                throw new IllegalStateException("a shipped task returned " + value + " instead of " + expected.get(i));
            }
        }
        long shippedNanos = System.nanoTime() - start;
        long shippedBytes = bytesWritten() - selfBefore + other.bytesWritten() - otherBefore;
        double perTask = (double) shippedBytes / shipped;
        // Spread evenly over two members, half of the tasks would run on the other member.
        double projected = perTask * tasks / 2;
        double mb = megabytes * 1048576.0;
        Row parforRow = new Row(
                "6b",
                title,
                "parfor hazelcast, context stored once (chunkSize(1): " + tasks + " tasks)",
                Row.Kind.PARFOR,
                true,
                parforNanos,
                0,
                1,
                String.format(
                        Locale.ROOT,
                        "bytes written by both JVMs %s = %.2f× the context; one run",
                        size(parforBytes),
                        parforBytes / mb));
        Row shippedRow = new Row(
                "6b",
                title,
                "IExecutorService, context inside every task",
                Row.Kind.PEER,
                false,
                shippedNanos / (double) shipped * tasks / 2,
                0,
                shipped,
                String.format(
                        Locale.ROOT,
                        "measured on %d tasks sent to the other member: %s per task; for %,d tasks on 2 members"
                                + " ≈ %s = %.0f× the context (time projected the same way)",
                        shipped,
                        size((long) perTask),
                        tasks,
                        size((long) projected),
                        projected / mb));
        System.err.printf(
                Locale.ROOT,
                "  [6b] parfor %s in %s; shipped %s per task%n",
                size(parforBytes),
                Row.time(parforNanos),
                size((long) perTask));
        return Collections.unmodifiableList(List.of(parforRow, shippedRow));
    }

    private static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }
}
