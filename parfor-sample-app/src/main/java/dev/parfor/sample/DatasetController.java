package dev.parfor.sample;

import dev.parfor.Loop;
import dev.parfor.ParallelFor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The large shared context demo: a histogram of the start-up data set, one task per slice, every task reading the
 * one {@link NumberTable} through {@code map(inputs, context, body)}. Each task reports the identity of the table it
 * saw: on a local engine there is exactly one.
 */
@RestController
class DatasetController {

    static final String LOOP = "dataset-histogram";

    private final ParallelFor parfor;
    private final NumberTable table;

    DatasetController(ParallelFor parfor, NumberTable table) {
        this.parfor = parfor;
        this.table = table;
    }

    /**
     * One task's part of the table.
     *
     * @param from first index, inclusive
     * @param to last index, exclusive
     * @param buckets number of histogram buckets
     */
    record Slice(int from, int to, int buckets) implements Serializable {}

    /**
     * What one task found in its slice.
     *
     * @param count numbers read
     * @param sum their sum
     * @param histogram counts per bucket
     * @param tableIdentity identity hash of the table instance the task read
     */
    record SliceSummary(long count, long sum, long[] histogram, int tableIdentity) implements Serializable {}

    /**
     * The histogram of the whole table.
     *
     * @param loop the loop run
     * @param size numbers in the table
     * @param tableMegabytes the table's size
     * @param slices number of tasks
     * @param tableInstancesSeen how many distinct table instances the tasks read (1 on a local engine)
     * @param mean the mean of all numbers
     * @param bucketWidth the width of one bucket
     * @param histogram counts per bucket, lowest first
     */
    record Report(
            LoopSummary loop,
            int size,
            double tableMegabytes,
            int slices,
            long tableInstancesSeen,
            double mean,
            int bucketWidth,
            long[] histogram) {}

    /** Counts the table's numbers per bucket, in {@code slices} tasks that share the table. */
    @GetMapping("/dataset/histogram")
    Report histogram(
            @RequestParam(required = false) @Nullable String engine,
            @RequestParam(defaultValue = "64") int slices,
            @RequestParam(defaultValue = "20") int buckets) {
        Params.between(slices, 1, Math.min(10_000, table.size()), "slices", 64);
        Params.between(buckets, 1, 1_000, "buckets", 20);
        List<Slice> inputs = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            inputs.add(new Slice(
                    (int) ((long) table.size() * i / slices), (int) ((long) table.size() * (i + 1) / slices), buckets));
        }

        LoopSummary.Recorder recorder = new LoopSummary.Recorder();
        Loop loop = parfor.loop(LOOP).progress(recorder, LoopSummary.Recorder.INTERVAL);
        if (engine != null) {
            loop.engine(engine);
        }
        List<SliceSummary> parts = loop.map(inputs, table, DatasetController::summarize);

        long count = 0;
        long sum = 0;
        long[] histogram = new long[buckets];
        for (SliceSummary part : parts) {
            count += part.count();
            sum += part.sum();
            for (int b = 0; b < buckets; b++) {
                histogram[b] += part.histogram()[b];
            }
        }
        long instances =
                parts.stream().mapToInt(SliceSummary::tableIdentity).distinct().count();
        return new Report(
                recorder.summary(),
                table.size(),
                Math.round(table.bytes() / 104_857.6) / 10.0,
                slices,
                instances,
                count == 0 ? 0 : (double) sum / count,
                bucketWidth(table.bound(), buckets),
                histogram);
    }

    /** The loop body: reads one slice of the shared table. */
    static SliceSummary summarize(Slice slice, NumberTable table) {
        int[] values = table.values();
        int width = bucketWidth(table.bound(), slice.buckets());
        long sum = 0;
        long[] histogram = new long[slice.buckets()];
        for (int i = slice.from(); i < slice.to(); i++) {
            sum += values[i];
            histogram[Math.min(slice.buckets() - 1, values[i] / width)]++;
        }
        return new SliceSummary(slice.to() - slice.from(), sum, histogram, System.identityHashCode(table));
    }

    private static int bucketWidth(int bound, int buckets) {
        return Math.max(1, (bound + buckets - 1) / buckets);
    }
}
