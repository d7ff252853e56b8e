package dev.parfor.benchmarks;

import java.util.Locale;

/**
 * One measured contender of one workload: a line of the table. Crosses from a workload's JVM to the harness as one
 * tab-separated line.
 *
 * @param workload the workload's key, such as {@code 1} or {@code 3b}
 * @param title what the workload does
 * @param contender who ran it
 * @param kind plain loop, peer or parfor
 * @param reference whether this is the parfor row the others are compared with
 * @param medianNanos the median time of one run (or of one loop, for latency workloads); NaN when it failed
 * @param spread half the interquartile range relative to the median, as a fraction
 * @param samples how many runs the median is taken from
 * @param note anything the reader needs: failures, memory, ordering
 * @param pairedRatio for a contender measured in pairs against the reference, the median of the per-pair ratios of
 *     its time to the reference's (NaN otherwise): robust against load that changes during the run
 */
record Row(
        String workload,
        String title,
        String contender,
        Kind kind,
        boolean reference,
        double medianNanos,
        double spread,
        int samples,
        String note,
        double pairedRatio) {

    static final String PREFIX = "@@row\t";

    Row(
            String workload,
            String title,
            String contender,
            Kind kind,
            boolean reference,
            double medianNanos,
            double spread,
            int samples,
            String note) {
        this(workload, title, contender, kind, reference, medianNanos, spread, samples, note, Double.NaN);
    }

    /** Who a row measures. */
    enum Kind {
        PLAIN,
        PEER,
        PARFOR
    }

    boolean ok() {
        return !Double.isNaN(medianNanos);
    }

    String encode() {
        return PREFIX
                + String.join(
                        "\t",
                        clean(workload),
                        clean(title),
                        clean(contender),
                        kind.name(),
                        Boolean.toString(reference),
                        Double.toString(medianNanos),
                        Double.toString(spread),
                        Integer.toString(samples),
                        clean(note),
                        Double.toString(pairedRatio));
    }

    static Row decode(String line) {
        String[] f = line.substring(PREFIX.length()).split("\t", -1);
        if (f.length != 10) {
            throw new IllegalArgumentException("malformed result line: " + line);
        }
        return new Row(
                f[0],
                f[1],
                f[2],
                Kind.valueOf(f[3]),
                Boolean.parseBoolean(f[4]),
                Double.parseDouble(f[5]),
                Double.parseDouble(f[6]),
                Integer.parseInt(f[7]),
                f[8],
                Double.parseDouble(f[9]));
    }

    Row withNote(String extra) {
        String joined = note.isEmpty() ? extra : note + "; " + extra;
        return new Row(workload, title, contender, kind, reference, medianNanos, spread, samples, joined, pairedRatio);
    }

    static Row failed(String workload, String title, String contender, Kind kind, boolean reference, String why) {
        return new Row(workload, title, contender, kind, reference, Double.NaN, 0, 0, why);
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    static String time(double nanos) {
        if (Double.isNaN(nanos)) {
            return "—";
        }
        if (nanos >= 1e9) {
            return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
        }
        if (nanos >= 1e6) {
            return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        if (nanos >= 1e4) {
            return String.format(Locale.ROOT, "%.1f µs", nanos / 1e3);
        }
        if (nanos >= 1e3) {
            return String.format(Locale.ROOT, "%.2f µs", nanos / 1e3); // workload 7's targets are in tenths of a µs
        }
        return String.format(Locale.ROOT, "%.0f ns", nanos);
    }
}
