package dev.parfor.sample;

import dev.parfor.ParallelFor;
import java.util.List;
import java.util.stream.IntStream;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * The I/O-bound demo: many HTTP calls with {@link RestClient} to this application's own {@code /slow} endpoint, on
 * the {@code virtual} engine, where a blocked call parks a virtual thread instead of holding a platform thread.
 */
@RestController
class IoController {

    static final String LOOP = "io-fan-out";

    private final ParallelFor parfor;
    private final RestClient.Builder restClients;
    private final Environment environment;

    IoController(ParallelFor parfor, RestClient.Builder restClients, Environment environment) {
        this.parfor = parfor;
        this.restClients = restClients;
        this.environment = environment;
    }

    /**
     * What the fan-out took.
     *
     * @param loop the loop run
     * @param calls number of HTTP calls
     * @param delayMillis the delay each call asked for
     * @param wallMillis time from the first call to the last answer
     * @param sumOfCallMillis the calls' times added up: what they would take one after another
     * @param speedup {@code sumOfCallMillis / wallMillis}
     * @param mostCallsInFlight the most calls the slow endpoint saw in progress at once
     */
    record Report(
            LoopSummary loop,
            int calls,
            int delayMillis,
            long wallMillis,
            long sumOfCallMillis,
            double speedup,
            int mostCallsInFlight) {}

    /**
     * One call's time and what the slow endpoint said.
     *
     * @param nanos the call's time
     * @param inFlight calls in progress when the endpoint received this one
     */
    record Call(long nanos, int inFlight) {}

    /** Calls {@code /slow?ms=<ms>} {@code calls} times on {@code engine} and reports wall time against the sum. */
    @GetMapping("/io")
    Report fanOut(
            @RequestParam(defaultValue = "virtual") String engine,
            @RequestParam(defaultValue = "100") int calls,
            @RequestParam(defaultValue = "200") int ms) {
        Params.between(calls, 1, 2_000, "calls", 100);
        Params.between(ms, 0, 10_000, "ms", 200);
        RestClient client = restClients.clone().baseUrl(selfUrl()).build();

        LoopSummary.Recorder recorder = new LoopSummary.Recorder();
        long start = System.nanoTime();
        List<Call> done = parfor.loop(LOOP)
                .engine(engine)
                .progress(recorder, LoopSummary.Recorder.INTERVAL)
                .map(IntStream.range(0, calls).boxed().toList(), call -> {
                    long begin = System.nanoTime();
                    SlowController.Answer answer =
                            client.get().uri("/slow?ms={ms}", ms).retrieve().body(SlowController.Answer.class);
                    if (answer == null) {
                        throw new IllegalStateException("/slow answered without a body");
                    }
                    return new Call(System.nanoTime() - begin, answer.inFlight());
                });
        long wall = System.nanoTime() - start;
        long sum = done.stream().mapToLong(Call::nanos).sum();
        return new Report(
                recorder.summary(),
                calls,
                ms,
                wall / 1_000_000,
                sum / 1_000_000,
                Math.round(10.0 * sum / Math.max(1, wall)) / 10.0,
                done.stream().mapToInt(Call::inFlight).max().orElse(0));
    }

    private String selfUrl() {
        String port = environment.getProperty("local.server.port");
        if (port == null) {
            throw new IllegalStateException("the web server has not started yet, so it has no port to call");
        }
        return "http://127.0.0.1:" + port;
    }
}
