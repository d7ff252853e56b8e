package dev.parfor.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Times the contenders of one workload against each other. Contenders run in interleaved rounds (each round runs
 * every contender once, starting from a different one), so that load from other processes on a shared machine falls
 * on all of them alike; the median of a contender's runs is reported.
 */
final class Bench {

    /**
     * How long and how often to measure.
     *
     * @param settleMillis an idle pause before each run, for workloads whose contenders leave work behind that is
     *     not theirs to pay for (a cluster still handling the operations of the contender before); 0 for none
     */
    record Settings(boolean quick, long budgetNanos, int minSamples, int maxSamples, int warmups, long settleMillis) {
        static Settings of(boolean quick) {
            return quick
                    ? new Settings(true, 100_000_000L, 2, 3, 1, 0)
                    : new Settings(false, 3_000_000_000L, 5, 15, 3, 0);
        }
    }

    /**
     * One way of running the workload.
     *
     * @param name shown in the table
     * @param kind plain loop, peer or parfor
     * @param reference whether the other rows are compared with this one
     * @param run one complete run; returns what the check looks at
     * @param note shown in the table
     * @param check this contender's own result check, or {@code null} for the workload's
     */
    record Contender(
            String name,
            Row.Kind kind,
            boolean reference,
            Callable<?> run,
            String note,
            @Nullable Function<Object, @Nullable String> check) {
        static Contender plain(String name, Callable<?> run) {
            return new Contender(name, Row.Kind.PLAIN, false, run, "", null);
        }

        static Contender peer(String name, Callable<?> run) {
            return new Contender(name, Row.Kind.PEER, false, run, "", null);
        }

        static Contender parfor(String name, Callable<?> run) {
            return new Contender(name, Row.Kind.PARFOR, false, run, "", null);
        }

        Contender asReference() {
            return new Contender(name, kind, true, run, note, check);
        }

        Contender note(String text) {
            return new Contender(name, kind, reference, run, text, check);
        }

        Contender checkedBy(Function<Object, @Nullable String> own) {
            return new Contender(name, kind, reference, run, note, own);
        }
    }

    private final String workload;
    private final String title;
    private final Settings settings;
    private final Function<Object, @Nullable String> check;

    /**
     * @param check returns why a run's result is wrong, or {@code null} when it is right
     */
    Bench(String workload, String title, Settings settings, Function<Object, @Nullable String> check) {
        this.workload = workload;
        this.title = title;
        this.settings = settings;
        this.check = check;
    }

    List<Row> run(List<Contender> contenders) {
        int n = contenders.size();
        long[][] samples = new long[n][];
        int[] taken = new int[n];
        int[] warmupsLeft = new int[n];
        int[] wanted = new int[n];
        String[] failure = new String[n];
        // A first run of each: checks the result, warms up, and tells how many runs fit in the time budget.
        for (int i = 0; i < n; i++) {
            Contender c = contenders.get(i);
            long nanos;
            try {
                long start = System.nanoTime();
                Object result = c.run().call();
                nanos = System.nanoTime() - start;
                String wrong = checkOf(c).apply(result);
                if (wrong != null) {
                    failure[i] = "wrong result: " + wrong;
                    progress(c, "WRONG RESULT: " + wrong);
                    continue;
                }
            } catch (Throwable e) {
                failure[i] = "failed: " + describe(e);
                progress(c, failure[i]);
                continue;
            }
            // Runs of a second or more vary little relative to their length: three of them are enough.
            int fewest = nanos >= 1_000_000_000L ? Math.min(3, settings.minSamples()) : settings.minSamples();
            wanted[i] = (int)
                    Math.max(fewest, Math.min(settings.maxSamples(), settings.budgetNanos() / Math.max(1, nanos)));
            samples[i] = new long[wanted[i]];
            // The first run never counts: it compiles the contender's code in this JVM. A run of a second or more is
            // warm after one more; a shorter one after the configured number.
            warmupsLeft[i] = nanos >= 1_000_000_000L ? Math.min(1, settings.warmups()) : settings.warmups();
            progress(c, "first run " + Row.time(nanos) + ", " + wanted[i] + " runs to take");
        }
        for (int round = 0; ; round++) {
            boolean any = false;
            for (int k = 0; k < n; k++) {
                int i = (k + round) % n;
                if (failure[i] != null || taken[i] >= wanted[i]) {
                    continue;
                }
                any = true;
                Contender c = contenders.get(i);
                try {
                    if (settings.settleMillis() > 0) {
                        Thread.sleep(settings.settleMillis());
                    }
                    long start = System.nanoTime();
                    Object result = c.run().call();
                    long nanos = System.nanoTime() - start;
                    if (warmupsLeft[i] > 0) {
                        warmupsLeft[i]--;
                        continue;
                    }
                    samples[i][taken[i]++] = nanos;
                    if (taken[i] == wanted[i]) {
                        String wrong = checkOf(c).apply(result);
                        if (wrong != null) {
                            failure[i] = "wrong result: " + wrong;
                        }
                    }
                } catch (Throwable e) {
                    failure[i] = "failed: " + describe(e);
                    progress(c, failure[i]);
                }
            }
            if (!any) {
                break;
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Contender c = contenders.get(i);
            if (failure[i] != null) {
                rows.add(Row.failed(workload, title, c.name(), c.kind(), c.reference(), failure[i]));
                continue;
            }
            long[] s = Arrays.copyOf(samples[i], taken[i]);
            rows.add(summarize(workload, title, c, s));
        }
        return rows;
    }

    private Function<Object, @Nullable String> checkOf(Contender c) {
        Function<Object, @Nullable String> own = c.check();
        return own != null ? own : check;
    }

    static Row summarize(String workload, String title, Contender c, long[] s) {
        // Every run in the order taken, not only the median: what the spread is made of, and any drift.
        StringBuilder runs = new StringBuilder();
        for (long nanos : s) {
            runs.append(runs.isEmpty() ? "" : " ").append(Row.time(nanos));
        }
        Arrays.sort(s);
        double median = percentile(s, 0.5);
        double spread = (percentile(s, 0.75) - percentile(s, 0.25)) / 2 / median;
        Row row = new Row(workload, title, c.name(), c.kind(), c.reference(), median, spread, s.length, c.note());
        System.err.printf(
                Locale.ROOT,
                "  [%s] %-48s median %10s  ±%4.1f%%  (n=%d)%n",
                workload,
                c.name(),
                Row.time(median),
                spread * 100,
                s.length);
        System.err.printf(Locale.ROOT, "  [%s] %-48s runs in order: %s%n", workload, c.name(), runs);
        return row;
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double at = p * (sorted.length - 1);
        int lo = (int) Math.floor(at);
        int hi = (int) Math.ceil(at);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
    }

    private void progress(Contender c, String what) {
        System.err.printf(Locale.ROOT, "  [%s] %-48s %s%n", workload, c.name(), what);
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return text.length() > 160 ? text.substring(0, 160) + "…" : text;
    }
}
