package dev.parfor.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The loop bodies every contender runs: the same code for all, so that only the way of running it differs. */
public final class Work {

    private Work() {}

    /**
     * A tiny body: a few multiplications and shifts (an integer hash mix).
     *
     * @param x the input
     * @return its hash
     */
    public static Integer tiny(Integer x) {
        int h = x * 0x9E3779B9;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        return h ^ (h >>> 13);
    }

    /**
     * A CPU-bound body: {@code iterations} rounds of a xorshift generator, seeded by the input.
     *
     * @param seed the input
     * @param iterations how many rounds; see {@link #calibrate}
     * @return the generator's last state, so that the work cannot be optimised away
     */
    public static long cpu(long seed, int iterations) {
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < iterations; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    /**
     * Finds how many {@link #cpu} rounds take about {@code targetNanos} on one core of this machine, after warming
     * the method up.
     *
     * @param targetNanos the wanted duration of one body
     * @return the number of rounds
     */
    public static int calibrate(long targetNanos) {
        int iterations = 100_000;
        long sink = 0;
        for (int i = 0; i < 20_000; i++) {
            sink += cpu(i, 1_000);
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            List<Long> samples = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                long start = System.nanoTime();
                sink += cpu(i, iterations);
                samples.add(System.nanoTime() - start);
            }
            samples.sort(null);
            long median = samples.get(samples.size() / 2);
            iterations = (int) Math.max(1, (double) iterations * targetNanos / Math.max(1, median));
        }
        if (sink == 42) {
            System.err.print("");
        }
        return iterations;
    }

    /**
     * A blocking body: sleeps, as a call to a slow service would.
     *
     * @param x the input
     * @param millis how long to block
     * @return the input
     */
    public static Integer sleep(Integer x, long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sleeping", e);
        }
        return x;
    }

    /**
     * A blocking body that makes a real HTTP call and returns the response's status code.
     *
     * @param client the client
     * @param uri where to send a GET
     * @return the status code; only 200 is accepted
     */
    public static Integer http(HttpClient client, URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
                .GET()
                .build();
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + " answered " + response.statusCode());
            }
            return response.statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + uri, e);
        }
    }
}
