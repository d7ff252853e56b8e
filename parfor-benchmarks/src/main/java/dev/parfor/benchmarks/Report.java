package dev.parfor.benchmarks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Renders the rows as Markdown: the machine, the table, and each target with its measured ratio. */
final class Report {

    private Report() {}

    static String render(
            List<Row> rows,
            Map<String, String> skipped,
            boolean quick,
            List<String> workloads,
            Instant started,
            Instant finished,
            double loadBefore,
            double loadAfter) {
        StringBuilder md = new StringBuilder();
        md.append("Run ")
                .append(Harness.Machine.now(started))
                .append(" to ")
                .append(Harness.Machine.now(finished))
                .append(quick ? ", **quick mode** (smaller inputs, fewer runs: a smoke test, not a measurement)" : "")
                .append(".  \nMachine: ")
                .append(Harness.Machine.describe())
                .append(".  \nLoad average before/after: ")
                .append(Harness.Machine.load(loadBefore))
                .append(" / ")
                .append(Harness.Machine.load(loadAfter))
                .append(" (other processes share the machine).\n\n");
        md.append(
                "| # | workload | contender | median | vs best peer | parfor speedup over it | runs, spread | notes |\n");
        md.append("|---|---|---|---:|---:|---:|---|---|\n");
        Map<String, List<Row>> byWorkload = new LinkedHashMap<>();
        for (Row row : rows) {
            byWorkload.computeIfAbsent(row.workload(), k -> new ArrayList<>()).add(row);
        }
        for (String selected : workloads) {
            List<String> keys = byWorkload.keySet().stream()
                    .filter(k -> k.equals(selected) || (k.startsWith(selected) && k.length() == selected.length() + 1))
                    .toList();
            if (keys.isEmpty()) {
                String why = skipped.getOrDefault(selected, "no result");
                md.append("| ")
                        .append(selected)
                        .append(" | ")
                        .append(Harness.NAMES.get(selected))
                        .append(" | — | — | — | — | — | ")
                        .append(why)
                        .append(" |\n");
                continue;
            }
            for (String workload : keys) {
                appendGroup(md, byWorkload.get(workload));
            }
        }
        md.append("\n\"vs best peer\": the fastest contender that is not parfor, divided by this row's median (above 1"
                + " = faster than every peer). \"parfor speedup over it\": this row's median divided by the bold parfor"
                + " row's (above 1 = the bold parfor row is that many times faster).\n\n");
        md.append("### Targets\n\n| target | measured | verdict |\n|---|---|---|\n");
        for (Target target : targets(rows, skipped, workloads)) {
            md.append("| ")
                    .append(target.what)
                    .append(" | ")
                    .append(target.measured)
                    .append(" | ")
                    .append(target.verdict)
                    .append(" |\n");
        }
        return md.toString();
    }

    private static void appendGroup(StringBuilder md, List<Row> group) {
        double bestPeer = group.stream()
                .filter(r -> r.kind() != Row.Kind.PARFOR && r.ok())
                .mapToDouble(Row::medianNanos)
                .min()
                .orElse(Double.NaN);
        double reference = group.stream()
                .filter(r -> r.reference() && r.ok())
                .mapToDouble(Row::medianNanos)
                .findFirst()
                .orElse(Double.NaN);
        boolean first = true;
        for (Row row : group) {
            md.append("| ")
                    .append(row.workload())
                    .append(" | ")
                    .append(first ? row.title() : "")
                    .append(" | ")
                    .append(row.reference() ? "**" + row.contender() + "**" : row.contender())
                    .append(" | ")
                    .append(Row.time(row.medianNanos()))
                    .append(" | ")
                    .append(ratio(bestPeer / row.medianNanos()))
                    .append(" | ")
                    .append(row.reference() ? "1.00 (reference)" : ratio(row.medianNanos() / reference))
                    .append(" | ")
                    .append(row.ok() ? spread(row) : "—")
                    .append(" | ")
                    .append(row.note())
                    .append(" |\n");
            first = false;
        }
    }

    private static String ratio(double r) {
        if (Double.isNaN(r) || Double.isInfinite(r)) {
            return "—";
        }
        return String.format(Locale.ROOT, r >= 10 ? "%.0f×" : "%.2f×", r);
    }

    private static String spread(Row row) {
        return row.samples() <= 1
                ? row.samples() + " run"
                : String.format(Locale.ROOT, "%d, ±%.0f%%", row.samples(), row.spread() * 100);
    }

    record Target(String what, String measured, String verdict) {}

    static List<Target> targets(List<Row> rows, Map<String, String> skipped, List<String> workloads) {
        List<Target> out = new ArrayList<>();
        if (workloads.contains("1")) {
            Optional<Row> parfor = find(rows, "1", r -> r.reference());
            atLeast(
                    out,
                    "1: parfor fork-join ≥ 0.9× the throughput of parallelStream()",
                    parfor,
                    find(rows, "1", name("parallelStream")),
                    0.9);
            atLeast(
                    out,
                    "1: parfor fork-join ≥ 10× invokeAll, one task per input",
                    parfor,
                    find(rows, "1", name("invokeAll")),
                    10);
            atLeast(
                    out,
                    "1: parfor fork-join ≥ 10× CompletableFuture per input",
                    parfor,
                    find(rows, "1", name("CompletableFuture")),
                    10);
            atLeast(
                    out,
                    "1: parfor fork-join ≥ 10× unbatched parallel-collectors",
                    parfor,
                    find(rows, "1", name("parallel-collectors, unbatched")),
                    10);
        }
        if (workloads.contains("2")) {
            Optional<Row> parfor = find(rows, "2", r -> r.reference());
            atLeast(
                    out,
                    "2: parfor fork-join speedup ≥ 1.9× over the plain loop",
                    parfor,
                    find(rows, "2", name("plain")),
                    1.9);
            atLeast(
                    out,
                    "2: parfor fork-join no worse than parallelStream()",
                    parfor,
                    find(rows, "2", name("parallelStream")),
                    1.0);
        }
        if (workloads.contains("3a")) {
            Optional<Row> parfor = find(rows, "3a", r -> r.reference());
            out.add(parfor.filter(Row::ok)
                    .map(r -> new Target(
                            "3a: parfor virtual finishes the sleep case in ≤ 0.25 s",
                            Row.time(r.medianNanos()) + " for " + r.title(),
                            r.medianNanos() <= 0.25e9 ? "met" : "**missed**"))
                    .orElse(new Target("3a: parfor virtual ≤ 0.25 s", "no result", "**missed**")));
        }
        if (workloads.contains("4")) {
            Optional<Row> parfor = find(rows, "4", r -> r.reference());
            out.add(parfor.map(r -> new Target(
                            "4: parfor ordered stream completes under -Xmx64m",
                            r.ok() ? Row.time(r.medianNanos()) + ", " + r.note() : r.note(),
                            r.ok() ? "met" : "**missed**"))
                    .orElse(new Target("4: ordered stream under -Xmx64m", "no result", "**missed**")));
        }
        if (workloads.contains("5")) {
            Optional<Row> off = find(rows, "5", r -> r.reference());
            Optional<Row> on = find(rows, "5", r -> !r.reference());
            if (off.isPresent() && on.isPresent() && off.get().ok() && on.get().ok()) {
                double paired = on.get().pairedRatio();
                double slower = (Double.isNaN(paired)
                                ? on.get().medianNanos() / off.get().medianNanos()
                                : paired)
                        - 1;
                out.add(new Target(
                        "5: metrics on at most 2% slower",
                        String.format(
                                Locale.ROOT,
                                "%+.1f%% (median of per-pair ratios; medians %s vs %s)",
                                slower * 100,
                                Row.time(on.get().medianNanos()),
                                Row.time(off.get().medianNanos())),
                        slower <= 0.02 ? "met" : "**missed**"));
            } else {
                out.add(new Target("5: metrics on at most 2% slower", "no result", "**missed**"));
            }
        }
        if (workloads.contains("6")) {
            String why = skipped.get("6");
            if (why != null) {
                out.add(new Target("6: Hazelcast, two members", why, "not measured"));
            } else {
                Optional<Row> chunked = find(rows, "6a", r -> r.reference());
                atLeast(
                        out,
                        "6a: Hazelcast chunked faster than one task per submit (parfor chunkSize(1))",
                        chunked,
                        find(rows, "6a", name("parfor hazelcast, chunkSize(1)")),
                        1.0);
                atLeast(
                        out,
                        "6a: Hazelcast chunked faster than IExecutorService.submit per input",
                        chunked,
                        find(rows, "6a", name("IExecutorService")),
                        1.0);
                Optional<Row> shared = find(rows, "6b", r -> r.reference());
                Optional<Row> shipped = find(rows, "6b", r -> !r.reference());
                if (shared.isPresent() && shared.get().ok()) {
                    java.util.regex.Matcher copies = java.util.regex.Pattern.compile("= ([0-9.]+)× the context")
                            .matcher(shared.get().note());
                    double times = copies.find() ? Double.parseDouble(copies.group(1)) : Double.NaN;
                    out.add(new Target(
                            "6b: a shared context crosses the network about once per member (2 members: ≤ 2.5×)",
                            shared.get().note()
                                    + shipped.map(r -> "; shipping it with every task instead: " + r.note())
                                            .orElse(""),
                            times <= 2.5 ? "met" : "**missed**"));
                } else {
                    out.add(new Target("6b: shared context bytes", "no result", "**missed**"));
                }
            }
        }
        if (workloads.contains("7")) {
            Optional<Row> parfor = find(rows, "7", r -> r.reference());
            out.add(parfor.filter(Row::ok)
                    .map(r -> new Target(
                            "7: per-loop latency reported",
                            Row.time(r.medianNanos()) + " median, " + r.note(),
                            "reported"))
                    .orElse(new Target("7: per-loop latency reported", "no result", "**missed**")));
            Optional<Row> with = find(rows, "7", r -> r.contender().startsWith("starter bean, with"));
            Optional<Row> without = find(rows, "7", r -> r.contender().startsWith("starter bean, metrics excluded"));
            if (with.isPresent()
                    && without.isPresent()
                    && with.get().ok()
                    && without.get().ok()) {
                double on = with.get().medianNanos();
                double off = without.get().medianNanos();
                out.add(new Target(
                        "7: a loop with the starter's metrics at most 1.3 µs",
                        String.format(
                                Locale.ROOT,
                                "%s (without metrics %s: %+.0f ns, %.2f×)",
                                Row.time(on),
                                Row.time(off),
                                on - off,
                                on / off),
                        on <= 1_300 ? "met" : "**missed**"));
            }
        }
        return out;
    }

    private static void atLeast(
            List<Target> out, String what, Optional<Row> parfor, Optional<Row> peer, double wanted) {
        if (parfor.isEmpty()
                || peer.isEmpty()
                || !parfor.get().ok()
                || !peer.get().ok()) {
            out.add(new Target(what, "no result", "**missed**"));
            return;
        }
        double ratio = peer.get().medianNanos() / parfor.get().medianNanos();
        out.add(new Target(
                what,
                String.format(
                        Locale.ROOT,
                        "%.2f× (%s vs %s)",
                        ratio,
                        Row.time(parfor.get().medianNanos()),
                        Row.time(peer.get().medianNanos())),
                ratio >= wanted ? "met" : "**missed**"));
    }

    private static Predicate<Row> name(String prefix) {
        return r -> r.contender().startsWith(prefix);
    }

    private static Optional<Row> find(List<Row> rows, String workload, Predicate<Row> which) {
        return rows.stream()
                .filter(r -> r.workload().equals(workload))
                .filter(which)
                .findFirst();
    }
}
