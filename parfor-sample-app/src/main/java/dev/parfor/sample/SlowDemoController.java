package dev.parfor.sample;

import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * A slow loop to watch on the page: {@code tasks} inputs that each sleep {@code ms} milliseconds, started in the
 * background. The code names no engine; {@code parfor.loops.slow-demo.*} in {@code application.yml} routes it to the
 * {@code io} engine and throttles it, as an operator would.
 */
@RestController
class SlowDemoController {

    static final String LOOP = "slow-demo";
    static final int DEFAULT_TASKS = 80;
    static final int DEFAULT_MILLIS = 1000;

    private static final Logger log = LoggerFactory.getLogger(SlowDemoController.class);

    private final ParallelFor parfor;

    SlowDemoController(ParallelFor parfor) {
        this.parfor = parfor;
    }

    /**
     * The loop that was started.
     *
     * @param loop the loop's name, as listed by {@code /actuator/parfor}
     * @param tasks number of inputs
     * @param delayMillis time each input takes
     */
    record Started(String loop, int tasks, int delayMillis) {}

    /**
     * Starts the slow loop and answers at once; follow it on {@code /actuator/parfor}. By default it lasts long
     * enough to watch: 80 inputs of one second, 4 at a time on {@code io}, take 20 seconds.
     */
    @PostMapping("/demo/slow")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Started start(
            @RequestParam(defaultValue = "" + DEFAULT_TASKS) int tasks,
            @RequestParam(defaultValue = "" + DEFAULT_MILLIS) int ms) {
        Params.between(tasks, 1, 10_000, "tasks", DEFAULT_TASKS);
        Params.between(ms, 0, 60_000, "ms", DEFAULT_MILLIS);
        List<Integer> inputs = IntStream.range(0, tasks).boxed().toList();
        Thread.ofVirtual().name("slow-demo-caller").start(() -> {
            try {
                parfor.loop(LOOP).forEach(inputs, input -> Thread.sleep(ms));
            } catch (ParallelForException e) {
                // Cancelled on shutdown, for example; the loop's own summary line has the details.
                log.info("The slow demo loop ended early: {}", e.getMessage());
            } catch (RuntimeException e) {
                // Nobody waits for this thread: the log is the only place to report why the loop did not run.
                log.warn("The slow demo loop could not run", e);
            }
        });
        return new Started(LOOP, tasks, ms);
    }
}
