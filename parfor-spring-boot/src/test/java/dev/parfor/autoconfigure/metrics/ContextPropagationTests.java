package dev.parfor.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.ParallelFor;
import dev.parfor.autoconfigure.ParforAutoConfiguration;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;

/** The caller's MDC, observation, trace and security context inside loop bodies, on every local engine. */
class ContextPropagationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(ParforAutoConfiguration.class, ParforMetricsAutoConfiguration.class))
            .withUserConfiguration(Tracing.class)
            .withPropertyValues(
                    "parfor.engines.pool.type=executor",
                    "parfor.engines.pool.executor=workers",
                    "parfor.engines.pool.parallelism=3");

    /** What a task saw. */
    record Seen(String thread, String mdc, String observation, String parentObservation, String traceId, String user) {}

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sequential", "fork-join", "virtual", "pool"})
    void shouldSeeTheCallersMdcObservationTraceAndSecurityContextInTheBody(String engine) {
        runner.run(context -> {
            ParallelFor parfor = context.getBean(ParallelFor.class);
            ObservationRegistry registry = context.getBean(ObservationRegistry.class);
            SimpleTracer tracer = context.getBean(SimpleTracer.class);
            String caller = Thread.currentThread().getName();
            MDC.put("request", "r-42");
            SecurityContextHolder.getContext().setAuthentication(new TestingAuthenticationToken("alice", "secret"));
            Observation request = Observation.start("request", registry);
            try (Observation.Scope scope = request.openScope()) {
                String traceId = tracer.currentSpan().context().traceId();
                List<Seen> seen = parfor.loop("propagation-" + engine)
                        .engine(engine)
                        .chunkSize(1)
                        .map(IntStream.range(0, 24).boxed().toList(), x -> {
                            Observation current = registry.getCurrentObservation();
                            Span span = tracer.currentSpan();
                            var authentication =
                                    SecurityContextHolder.getContext().getAuthentication();
                            return new Seen(
                                    Thread.currentThread().getName(),
                                    MDC.get("request"),
                                    current == null
                                            ? null
                                            : current.getContext().getName(),
                                    current == null || current.getContext().getParentObservation() == null
                                            ? null
                                            : current.getContext()
                                                    .getParentObservation()
                                                    .getContextView()
                                                    .getName(),
                                    span == null ? null : span.context().traceId(),
                                    authentication == null ? null : authentication.getName());
                        });
                assertThat(seen).hasSize(24).allSatisfy(s -> {
                    assertThat(s.mdc()).isEqualTo("r-42");
                    assertThat(s.observation()).isEqualTo("parfor.loop");
                    assertThat(s.parentObservation()).isEqualTo("request");
                    assertThat(s.traceId()).isEqualTo(traceId);
                    assertThat(s.user()).isEqualTo("alice");
                });
                if (engine.equals("sequential")) {
                    assertThat(seen).allMatch(s -> s.thread().equals(caller));
                } else {
                    // The body really ran elsewhere, so what it saw was carried over.
                    assertThat(seen).noneMatch(s -> s.thread().equals(caller));
                }
            } finally {
                request.stop();
                MDC.clear();
                SecurityContextHolder.clearContext();
            }
            // Nothing leaks onto the caller's thread after the loop.
            assertThat(registry.getCurrentObservation()).isNull();
            assertThat(tracer.currentSpan()).isNull();
            // The loop's span is a child of the request's span.
            assertThat(tracer.getSpans())
                    .anySatisfy(span -> assertThat(span.getName()).isEqualTo("parfor propagation-" + engine));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class Tracing {

        @Bean
        SimpleTracer tracer() {
            return new SimpleTracer();
        }

        @Bean
        ObservationRegistry observationRegistry(SimpleTracer tracer) {
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
            return registry;
        }

        @Bean(destroyMethod = "shutdownNow")
        ExecutorService workers() {
            return Executors.newFixedThreadPool(
                    3, Thread.ofPlatform().name("workers-", 0).factory());
        }
    }
}
