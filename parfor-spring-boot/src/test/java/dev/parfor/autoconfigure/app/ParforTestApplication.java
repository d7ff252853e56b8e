package dev.parfor.autoconfigure.app;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import java.util.List;
import java.util.stream.IntStream;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A small web application that uses the starter as an application would. */
@SpringBootApplication
public class ParforTestApplication {

    /** Runs loops on request. */
    @RestController
    static class LoopController {

        private final ParallelFor parfor;

        LoopController(ParallelFor parfor) {
            this.parfor = parfor;
        }

        @GetMapping("/squares")
        long squares(@RequestParam int n) {
            List<Long> squares = parfor.loop("squares").map(range(n), x -> (long) x * x);
            return squares.stream().mapToLong(Long::longValue).sum();
        }

        @GetMapping("/odd-only")
        int oddOnly(@RequestParam int n) {
            LoopResult<Integer> result = parfor.loop("odd-only")
                    .onError(ErrorPolicy.COLLECT)
                    .run(range(n), x -> {
                        if (x % 2 == 0) {
                            throw new IllegalArgumentException("even: " + x);
                        }
                        return x;
                    });
            return result.failures().size();
        }

        /** More inputs than parfor reads ahead, so the total stays unknown while the loop is held. */
        static final int HELD_INPUTS = 20_000;

        private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        /** Starts a loop over inputs of unknown number that waits until {@code /release}. */
        @GetMapping("/hold")
        String hold() {
            Iterable<Integer> unknownSize =
                    () -> IntStream.range(0, HELD_INPUTS).iterator();
            Thread.ofVirtual().start(() -> {
                try {
                    parfor.loop("held").chunkSize(1).map(unknownSize, x -> {
                        release.await();
                        return x;
                    });
                    heldResult.set("finished");
                } catch (ParallelForException e) {
                    heldResult.set(e.outcome() + ": " + e.getMessage());
                }
            });
            return "started";
        }

        private final java.util.concurrent.atomic.AtomicReference<String> heldResult =
                new java.util.concurrent.atomic.AtomicReference<>("running");

        /** What the caller of the held loop got: running, finished, or the outcome and message of its exception. */
        @GetMapping("/held-result")
        String heldResult() {
            return heldResult.get();
        }

        @GetMapping("/release")
        String release() {
            release.countDown();
            return "released";
        }

        private static List<Integer> range(int n) {
            return IntStream.range(0, n).boxed().toList();
        }
    }
}
