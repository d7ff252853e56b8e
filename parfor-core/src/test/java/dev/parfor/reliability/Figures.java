package dev.parfor.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongBinaryOperator;

/**
 * The figures one reliability case measured (loops run, faults injected, inputs lost, threads leaked, deadline
 * overruns), written to {@code target/reliability/<case>.txt} so that {@code RELIABILITY.md} can be written from the
 * last run.
 */
final class Figures {

    private static final Path DIR = Path.of("target", "reliability");

    private final String name;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();
    private final Map<String, String> notes = new ConcurrentHashMap<>();

    Figures(String name) {
        this.name = name;
    }

    void add(String key, long delta) {
        values.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(delta);
    }

    void max(String key, long value) {
        accumulate(key, value, Math::max);
    }

    void set(String key, long value) {
        values.computeIfAbsent(key, k -> new AtomicLong()).set(value);
    }

    void note(String key, String text) {
        notes.put(key, text);
    }

    long get(String key) {
        AtomicLong value = values.get(key);
        return value == null ? 0 : value.get();
    }

    private void accumulate(String key, long value, LongBinaryOperator op) {
        values.computeIfAbsent(key, k -> new AtomicLong(Long.MIN_VALUE)).accumulateAndGet(value, op);
    }

    /** Writes every figure of this case, replacing what an earlier run wrote; prints them too. */
    void write() {
        StringBuilder text = new StringBuilder("# " + name + " at " + Instant.now() + "\n");
        new TreeMap<>(values)
                .forEach((k, v) -> text.append(k).append(": ").append(v.get()).append('\n'));
        new TreeMap<>(notes)
                .forEach((k, v) -> text.append(k).append(": ").append(v).append('\n'));
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve(name + ".txt"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.print(text);
    }
}
