package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Ten million lazily generated inputs stream through a 64 MB heap: the window, not the input, bounds memory. */
class SmallHeapStreamTest {

    @Test
    void shouldStreamTenMillionInputsThroughASixtyFourMegabyteHeap() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(
                        java, "-Xmx64m", "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .redirectErrorStream(true)
                .start();
        boolean ended = child.waitFor(5, TimeUnit.MINUTES);
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ended) {
            child.destroyForcibly();
        }
        assertThat(ended).as("child JVM ended").isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("count=10000000 sum=99999990000000 ordered=true");
    }

    /** Runs in the child JVM. */
    public static final class Main {
        public static void main(String[] args) {
            try (ParallelFor parfor = ParallelFor.create(Engines.forkJoin(2))) {
                long[] state = {0, 0, -1, 1}; // count, sum, last, ordered
                try (Stream<Long> doubled = parfor.loop("ten-million").stream(
                        LongStream.range(0, 10_000_000).boxed()::iterator, x -> x * 2)) {
                    doubled.forEach(x -> {
                        state[0]++;
                        state[1] += x;
                        if (x <= state[2]) {
                            state[3] = 0;
                        }
                        state[2] = x;
                    });
                }
                System.out.println("count=" + state[0] + " sum=" + state[1] + " ordered=" + (state[3] == 1)
                        + " heapMax=" + Runtime.getRuntime().maxMemory());
            }
        }
    }
}
