package dev.parfor.sample;

import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A deliberately slow endpoint: the remote service that the I/O-bound demo calls. */
@RestController
class SlowController {

    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * The answer of one slow call.
     *
     * @param sleptMillis how long the call waited
     * @param inFlight calls in progress when this one started, itself included
     */
    record Answer(int sleptMillis, int inFlight) {}

    /** Answers after {@code ms} milliseconds. */
    @GetMapping("/slow")
    Answer slow(@RequestParam(defaultValue = "200") int ms) throws InterruptedException {
        Params.between(ms, 0, 10_000, "ms", 200);
        int concurrent = inFlight.incrementAndGet();
        try {
            Thread.sleep(ms);
            return new Answer(ms, concurrent);
        } finally {
            inFlight.decrementAndGet();
        }
    }
}
