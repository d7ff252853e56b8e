package dev.parfor;

import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.MDC;

/** Carries SLF4J's MDC from the caller to the tasks; the worker's own MDC is restored afterwards. */
final class MdcPropagator implements ContextPropagator {

    @Override
    public Supplier<Runnable> capture() {
        Map<String, String> captured = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> previous = MDC.getCopyOfContextMap();
            if (captured == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(captured);
            }
            return () -> {
                if (previous == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(previous);
                }
            };
        };
    }
}
