package dev.parfor.autoconfigure;

import dev.parfor.LoopInfo;
import dev.parfor.LoopListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notes which loops configured under {@code parfor.loops} ran, and when the application shuts down reports once, as a
 * WARN of {@code dev.parfor.config}, the configured names that no loop used: a misspelled or renamed loop whose
 * options never applied. Start-up cannot tell (a loop may run only once a day), so the report comes at the end.
 * Thread-safe.
 */
final class ConfiguredLoops {

    private static final Logger log = LoggerFactory.getLogger("dev.parfor.config");

    private final Set<String> configured;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile boolean attached;

    ConfiguredLoops(Set<String> configured) {
        this.configured = Set.copyOf(configured);
    }

    /** The listener that notes the loops; the report covers only a ParallelFor it was added to. */
    LoopListener listener() {
        attached = true;
        return new LoopListener() {
            @Override
            public void loopStarted(LoopInfo loop) {
                String name = loop.name();
                if (configured.contains(name)) {
                    seen.add(name);
                }
            }

            @Override
            public String toString() {
                return "parfor configured-loops check";
            }
        };
    }

    /** The configured loop names that no loop has used so far, in name order. */
    List<String> unused() {
        List<String> unused = new ArrayList<>();
        for (String name : configured) {
            if (!seen.contains(name)) {
                unused.add(name);
            }
        }
        unused.sort(null);
        return unused;
    }

    /** Logs the configured loop names that no loop used, once. */
    void report() {
        if (!attached || !reported.compareAndSet(false, true)) {
            return;
        }
        List<String> unused = unused();
        if (!unused.isEmpty()) {
            log.warn(
                    "parfor.loops configures {} that no loop used while the application ran: {}. Check the names"
                            + " against the loops' names (an unnamed loop is named after its class and method in"
                            + " lower-case kebab form, such as report-service-render-all).",
                    unused.size() == 1 ? "a loop" : unused.size() + " loops",
                    String.join(", ", unused));
        }
    }

    @Override
    public String toString() {
        return "parfor configured loops " + configured;
    }
}
