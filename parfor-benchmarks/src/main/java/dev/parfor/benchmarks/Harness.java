package dev.parfor.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Runs the side-by-side comparison and prints it as a Markdown table. Each workload runs in a JVM of its own (and
 * each contender of workload 4 in its own 64 MB JVM), started with the JDK that runs the harness; the harness itself
 * only starts them, serves the loopback HTTP endpoint of workload 3b, and writes the table.
 *
 * <pre>
 * Harness [--quick] [--only 1,2,3,4,5,6,7] [--out FILE]
 * Harness --jmh [JMH options]      runs the JMH benchmarks instead
 * </pre>
 */
public final class Harness {

    static final List<String> WORKLOADS = List.of("1", "2", "3a", "3b", "4", "5", "6", "7");

    static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("1", "Tiny bodies");
        NAMES.put("2", "CPU-bound bodies of ~1 ms");
        NAMES.put("3a", "Blocking calls: sleep 100 ms");
        NAMES.put("3b", "Blocking calls: loopback HTTP, 100 ms");
        NAMES.put("4", "Lazy inputs through an ordered stream in a 64 MB heap");
        NAMES.put("5", "Metrics on vs off");
        NAMES.put("6", "Hazelcast, two members");
        NAMES.put("7", "Per-loop overhead, 10 inputs");
    }

    private Harness() {}

    /**
     * Runs the comparison, the JMH benchmarks ({@code --jmh}), or one workload ({@code --child}, used by the
     * harness itself).
     *
     * @param args see the class description
     * @throws Exception when the harness cannot run
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length == 3 && args[0].equals("--member")) {
            HazelcastWorkload.member(args[1], args[2]);
            return;
        }
        boolean quick = false;
        String only = null;
        String child = null;
        String url = null;
        String contender = null;
        Path out = Path.of("target", "benchmark-results.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick", "quick" -> quick = true;
                case "--only" -> only = value(args, ++i, "--only");
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                case "--child" -> child = value(args, ++i, "--child");
                case "--url" -> url = value(args, ++i, "--url");
                case "--contender" ->
                    contender = value(args, ++i, "--contender").replace('_', ' ');
                default -> {
                    System.err.println("unknown argument '" + args[i]
                            + "'; use [--quick] [--only 1,2,3,4,5,6,7] [--out FILE], or --jmh [JMH options]");
                    System.exit(2);
                }
            }
        }
        if (child != null) {
            runChild(child, new Workloads.Config(quick, url, contender));
            return;
        }
        List<String> selected = select(only);
        new Harness.Run(quick, selected, out).run();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static List<String> select(@Nullable String only) {
        if (only == null) {
            return WORKLOADS;
        }
        List<String> selected = new ArrayList<>();
        for (String key : only.split(",")) {
            String k = key.trim();
            if (k.equals("3")) {
                selected.add("3a");
                selected.add("3b");
            } else if (WORKLOADS.contains(k)) {
                selected.add(k);
            } else {
                System.err.println("'--only' must list workloads among 1,2,3,3a,3b,4,5,6,7 but had '" + k + "'");
                System.exit(2);
            }
        }
        return selected;
    }

    private static void runChild(String workload, Workloads.Config config) {
        try {
            List<Row> rows = workload.equals("6") ? HazelcastWorkload.run(config) : Workloads.run(workload, config);
            for (Row row : rows) {
                System.out.println(row.encode());
            }
            System.out.flush();
            System.exit(0);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** One run of the harness: starts the workloads' JVMs and collects their rows. */
    private static final class Run {
        private final boolean quick;
        private final List<String> workloads;
        private final Path out;
        private final List<Row> rows = new ArrayList<>();
        private final Map<String, String> skipped = new LinkedHashMap<>();
        private final String java;
        private final String classPath;

        Run(boolean quick, List<String> workloads, Path out) {
            this.quick = quick;
            this.workloads = workloads;
            this.out = out;
            this.java = ProcessHandle.current()
                    .info()
                    .command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString());
            this.classPath = System.getProperty("java.class.path");
        }

        void run() throws Exception {
            if (Runtime.version().feature() < 21) {
                throw new IllegalStateException("the harness needs JDK 21 or newer but runs on " + Runtime.version());
            }
            Instant started = Instant.now();
            double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            System.err.println("parfor benchmarks" + (quick ? " (quick)" : "") + ": " + String.join(", ", workloads)
                    + " on " + Machine.describe());
            HttpServer server = null;
            ExecutorService serverThreads = null;
            try {
                for (String workload : workloads) {
                    System.err.println("== " + workload + ": " + NAMES.get(workload));
                    switch (workload) {
                        case "3b" -> {
                            if (server == null) {
                                serverThreads = Executors.newVirtualThreadPerTaskExecutor();
                                server = startServer(serverThreads);
                            }
                            String url =
                                    "http://127.0.0.1:" + server.getAddress().getPort() + "/delay?ms=100";
                            child(workload, List.of("-Xms1g", "-Xmx2g"), List.of("--url", url));
                        }
                        case "4" -> {
                            for (String contender : Workloads.LAZY_CONTENDERS) {
                                child(
                                        workload,
                                        List.of("-Xmx64m"),
                                        List.of("--contender", contender.replace(' ', '_')));
                            }
                        }
                        case "6" -> {
                            String why = HazelcastWorkload.unavailable();
                            if (why != null) {
                                skipped.put("6", why);
                                System.err.println("  not measured: " + why);
                            } else {
                                List<String> options = new ArrayList<>(List.of("-Xms512m", "-Xmx2g"));
                                options.addAll(HazelcastWorkload.JVM_OPTIONS);
                                child(workload, options, List.of());
                            }
                        }
                        default -> child(workload, List.of("-Xms1g", "-Xmx2g"), List.of());
                    }
                }
            } finally {
                if (server != null) {
                    server.stop(0);
                }
                if (serverThreads != null) {
                    serverThreads.shutdownNow();
                }
            }
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            String report =
                    Report.render(rows, skipped, quick, workloads, started, Instant.now(), loadBefore, loadAfter);
            System.out.println(report);
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(out, report, StandardCharsets.UTF_8);
            System.err.println("table written to " + out.toAbsolutePath());
        }

        private void child(String workload, List<String> jvmOptions, List<String> extra) throws Exception {
            List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(jvmOptions);
            // For a closer look, such as a profiler: BENCH_CHILD_OPTS="-XX:StartFlightRecording=filename=w.jfr".
            String extraOptions = System.getenv("BENCH_CHILD_OPTS");
            if (extraOptions != null && !extraOptions.isBlank()) {
                command.addAll(Arrays.asList(extraOptions.trim().split("\\s+")));
            }
            command.add("-cp");
            command.add(classPath);
            command.add(Harness.class.getName());
            command.add("--child");
            command.add(workload);
            if (quick) {
                command.add("--quick");
            }
            command.addAll(extra);
            Process process = new ProcessBuilder(command).start();
            List<Row> found = new ArrayList<>();
            // The JVM's own last words (an OutOfMemoryError in a pool thread, say) explain a run without a row.
            String[] lastError = new String[1];
            Thread errors = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        System.err.println(line);
                        if (line.contains("Error") || line.contains("Exception")) {
                            synchronized (lastError) {
                                if (lastError[0] == null || line.contains("OutOfMemoryError")) {
                                    lastError[0] = line.trim();
                                }
                            }
                        }
                    }
                } catch (IOException e) {
                    System.err.println("could not read the errors of workload " + workload + ": " + e);
                }
            });
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader lines =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        if (line.startsWith(Row.PREFIX)) {
                            synchronized (found) {
                                found.add(Row.decode(line));
                            }
                        } else {
                            System.err.println(line);
                        }
                    }
                } catch (IOException e) {
                    System.err.println("could not read the output of workload " + workload + ": " + e);
                }
            });
            long limitSeconds = workload.equals("4") ? (quick ? 60 : 180) : (quick ? 180 : 900);
            boolean finished = process.waitFor(limitSeconds, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
                process.waitFor();
            }
            reader.join(5_000);
            errors.join(5_000);
            synchronized (found) {
                rows.addAll(found);
            }
            if (found.isEmpty()) {
                String why;
                synchronized (lastError) {
                    why = lastError[0] == null ? "" : " after " + lastError[0];
                }
                String what = !finished
                        ? "did not finish within " + limitSeconds + " s"
                        : "its JVM exited with code " + process.exitValue() + why;
                if (workload.equals("4")) {
                    String contender = extra.get(1).replace('_', ' ');
                    boolean parfor = contender.startsWith("parfor");
                    rows.add(Row.failed(
                            "4",
                            "lazily generated inputs, -Xmx64m",
                            contender,
                            parfor ? Row.Kind.PARFOR : Row.Kind.PEER,
                            contender.equals("parfor fork-join, ordered stream"),
                            "failed: " + what));
                } else {
                    skipped.put(workload, "failed: " + what);
                }
            }
        }

        private static HttpServer startServer(ExecutorService threads) throws IOException {
            // Keep every connection a client opens alive between runs (the default keeps 200).
            System.setProperty("sun.net.httpserver.maxIdleConnections", "20000");
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16_384);
            server.createContext("/delay", exchange -> {
                try (exchange) {
                    String query = exchange.getRequestURI().getQuery();
                    long millis = 100;
                    if (query != null && query.startsWith("ms=")) {
                        millis = Long.parseLong(query.substring(3));
                    }
                    Thread.sleep(millis);
                    byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream stream = exchange.getResponseBody()) {
                        stream.write(body);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.setExecutor(threads);
            server.start();
            System.err.println("  loopback HTTP server on " + server.getAddress() + " answers /delay after 100 ms");
            return server;
        }
    }

    /** What the table says about the machine. */
    static final class Machine {
        private Machine() {}

        static String describe() {
            return Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), "
                    + (ManagementFactory.getOperatingSystemMXBean()
                                    instanceof com.sun.management.OperatingSystemMXBean os
                            ? (os.getTotalMemorySize() >> 30) + " GiB, "
                            : "")
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", JDK "
                    + System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version");
        }

        static String cpuModel() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Not Linux: the model is not essential.
            }
            return "unknown CPU";
        }

        static String now(Instant instant) {
            return instant.truncatedTo(ChronoUnit.SECONDS).toString();
        }

        static String load(double load) {
            return load < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", load);
        }
    }
}
