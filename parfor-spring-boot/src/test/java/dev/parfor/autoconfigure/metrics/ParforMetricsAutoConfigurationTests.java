package dev.parfor.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parfor.ErrorPolicy;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.autoconfigure.ParforAutoConfiguration;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class ParforMetricsAutoConfigurationTests {

    /** Spring Boot's own metrics and observation set-up, with a SimpleMeterRegistry. */
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    ObservationAutoConfiguration.class,
                    MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class,
                    ParforAutoConfiguration.class,
                    ParforMetricsAutoConfiguration.class));

    @Test
    void shouldTimeEachLoopTaggedByEngineLoopOutcomeAndException() {
        runner.run(context -> {
            ParallelFor parfor = context.getBean(ParallelFor.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            parfor.loop("squares").map(range(10), x -> x * x);
            parfor.loop("squares").map(range(10), x -> x * x);
            assertThatThrownBy(() -> parfor.loop("broken").engine("sequential").map(range(5), x -> {
                        if (x == 2) {
                            throw new IllegalStateException("bad input");
                        }
                        return x;
                    }))
                    .isInstanceOf(ParallelForException.class);

            Timer squares = meters.get("parfor.loop")
                    .tag("engine", "fork-join")
                    .tag("loop", "squares")
                    .tag("outcome", "success")
                    .tag("exception", "none")
                    .timer();
            assertThat(squares.count()).isEqualTo(2);
            Timer broken = meters.get("parfor.loop")
                    .tag("engine", "sequential")
                    .tag("loop", "broken")
                    .tag("outcome", "failure")
                    .tag("exception", "IllegalStateException")
                    .timer();
            assertThat(broken.count()).isEqualTo(1);
            // The long task timer exists and is idle once every loop finished.
            assertThat(meters.get("parfor.loop.active")
                            .tag("loop", "squares")
                            .longTaskTimer()
                            .activeTasks())
                    .isZero();
        });
    }

    @Test
    void shouldCountEveryLoopOfManyRunningAtOnceAsActiveUntilItEnds() {
        runner.run(context -> {
            ParallelFor parfor = context.getBean(ParallelFor.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            int loops = 100;
            CountDownLatch release = new CountDownLatch(1);
            try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<List<Integer>>> results = new ArrayList<>();
                for (int i = 0; i < loops; i++) {
                    results.add(callers.submit(
                            () -> parfor.loop("crowd").engine("virtual").map(range(2), x -> {
                                release.await();
                                return x;
                            })));
                }
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (active(meters, "crowd") < loops && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    assertThat(active(meters, "crowd")).isEqualTo(loops);
                } finally {
                    release.countDown();
                }
                for (Future<List<Integer>> result : results) {
                    assertThat(result.get(30, TimeUnit.SECONDS)).containsExactly(0, 1);
                }
            }
            assertThat(active(meters, "crowd")).isZero();
            assertThat(meters.get("parfor.loop")
                            .tag("loop", "crowd")
                            .tag("outcome", "success")
                            .timer()
                            .count())
                    .isEqualTo(loops);
        });
    }

    /** Loops of that name running now; 0 before the first of them started, when its meter does not exist yet. */
    private static int active(MeterRegistry meters, String loop) {
        LongTaskTimer timer =
                meters.find("parfor.loop.active").tag("loop", loop).longTaskTimer();
        return timer == null ? 0 : timer.activeTasks();
    }

    @Test
    void shouldMeasureTheUseOfEverySharedLimit() {
        runner.withPropertyValues("parfor.limits.db.max-concurrency=2", "parfor.loops.query.limit=db")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    parfor.loop("query").map(range(7), x -> x);
                    assertThat(meters.get("parfor.limit.acquired")
                                    .tag("limit", "db")
                                    .functionCounter()
                                    .count())
                            .isEqualTo(7);
                    assertThat(meters.get("parfor.limit.in.use")
                                    .tag("limit", "db")
                                    .gauge()
                                    .value())
                            .isZero();
                    assertThat(meters.get("parfor.limit.wait")
                                    .tag("limit", "db")
                                    .functionTimer()
                                    .count())
                            .isEqualTo(7);
                    assertThat(meters.get("parfor.limit.rejected")
                                    .tag("limit", "db")
                                    .functionCounter()
                                    .count())
                            .isZero();
                });
    }

    @Test
    void shouldCountTasksByOutcome() {
        runner.run(context -> {
            ParallelFor parfor = context.getBean(ParallelFor.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            var result = parfor.loop("mixed").onError(ErrorPolicy.COLLECT).run(range(10), x -> {
                if (x % 5 == 0) {
                    throw new IllegalArgumentException("multiple of five: " + x);
                }
                return x;
            });
            assertThat(result.failures()).hasSize(2);
            assertThat(meters.get("parfor.tasks")
                            .tag("engine", "fork-join")
                            .tag("loop", "mixed")
                            .tag("outcome", "success")
                            .counter()
                            .count())
                    .isEqualTo(8);
            assertThat(meters.get("parfor.tasks")
                            .tag("loop", "mixed")
                            .tag("outcome", "failure")
                            .counter()
                            .count())
                    .isEqualTo(2);
            assertThat(meters.find("parfor.task").meters())
                    .as("the task timer is off by default")
                    .isEmpty();
        });
    }

    @Test
    void shouldTimeEveryTaskWhenTheTaskTimerIsOn() {
        runner.withPropertyValues("parfor.metrics.task-timer.enabled=true").run(context -> {
            context.getBean(ParallelFor.class).loop("timed").chunkSize(2).map(range(10), x -> x + 1);
            assertThat(context.getBean(MeterRegistry.class)
                            .get("parfor.task")
                            .tag("loop", "timed")
                            .tag("outcome", "success")
                            .timer()
                            .count())
                    .isEqualTo(10);
        });
    }

    @Test
    void shouldPublishLoopEngineAndPoolGauges() {
        runner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("parfor.loops.running").gauge().value()).isZero();
            assertThat(meters.get("parfor.engine.active")
                            .tag("engine", "fork-join")
                            .gauge()
                            .value())
                    .isZero();
            assertThat(meters.get("parfor.engine.queued")
                            .tag("engine", "fork-join")
                            .gauge()
                            .value())
                    .isZero();
            assertThat(meters.find("parfor.executor.parallelism")
                            .tag("engine", "fork-join")
                            .gauge())
                    .as("ExecutorServiceMetrics of the fork-join pool")
                    .isNotNull();
            assertThat(meters.get("parfor.executor.parallelism")
                            .tag("engine", "fork-join")
                            .gauge()
                            .value())
                    .isEqualTo(Runtime.getRuntime().availableProcessors());
        });
    }

    @Test
    void shouldUseTheApplicationsObservationConvention() {
        runner.withUserConfiguration(CustomConvention.class).run(context -> {
            context.getBean(ParallelFor.class).loop("custom").map(range(3), x -> x);
            assertThat(context.getBean(MeterRegistry.class)
                            .get("custom.loop")
                            .tag("team", "search")
                            .timer()
                            .count())
                    .isEqualTo(1);
        });
    }

    @Test
    void shouldMakeTheLoopObservationAChildOfTheCallersObservation() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(ParforAutoConfiguration.class, ParforMetricsAutoConfiguration.class))
                .withUserConfiguration(TestRegistry.class)
                .run(context -> {
                    TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    io.micrometer.observation.Observation.createNotStarted("request", registry)
                            .observe(() -> parfor.loop("child").map(range(4), x -> x));
                    TestObservationRegistryAssert.assertThat(registry)
                            .hasObservationWithNameEqualTo("parfor.loop")
                            .that()
                            .hasBeenStarted()
                            .hasBeenStopped()
                            .hasContextualNameEqualTo("parfor child")
                            .hasLowCardinalityKeyValue("engine", "fork-join")
                            .hasLowCardinalityKeyValue("loop", "child")
                            .hasLowCardinalityKeyValue("outcome", "success")
                            .hasParentObservationContextMatching(parent -> "request".equals(parent.getName()));
                });
    }

    @Test
    void shouldNotInstrumentWithoutRegistries() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(ParforAutoConfiguration.class, ParforMetricsAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasSingleBean(ParallelFor.class);
                    assertThat(context).doesNotHaveBean(ObservationLoopListener.class);
                    assertThat(context).doesNotHaveBean(TaskMetricsListener.class);
                });
    }

    @Test
    void shouldCountTasksWithAPlainMeterRegistry() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(ParforAutoConfiguration.class, ParforMetricsAutoConfiguration.class))
                .withBean(SimpleMeterRegistry.class)
                .run(context -> {
                    context.getBean(ParallelFor.class).loop("plain").map(range(6), x -> x);
                    assertThat(context.getBean(SimpleMeterRegistry.class)
                                    .get("parfor.tasks")
                                    .tag("loop", "plain")
                                    .counter()
                                    .count())
                            .isEqualTo(6);
                });
    }

    @Test
    void shouldPublishTheLoopTimerBeforeTheFirstLoopRan() {
        runner.run(context -> {
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.find("parfor.loop").timers())
                    .extracting(timer -> timer.getId().getTag("engine"))
                    .containsExactlyInAnyOrder("sequential", "fork-join", "virtual");
            assertThat(meters.get("parfor.loop").timers()).allSatisfy(timer -> {
                assertThat(timer.count()).isZero();
                assertThat(timer.getId().getTag("loop")).isEqualTo("none");
            });
        });
    }

    @Test
    void shouldRecordTheLoopMetersDirectlyWhenOnlyMetricsWouldSeeTheObservation() {
        runner.run(context ->
                assertThat(context.getBean("parforLoopMetricsListener")).isInstanceOf(MeterLoopListener.class));
        runner.withUserConfiguration(OtherHandler.class)
                .run(context -> assertThat(context.getBean("parforLoopMetricsListener"))
                        .isInstanceOf(ObservationLoopListener.class));
    }

    @Test
    void shouldRecordNoLoopTimerWhenTheApplicationTurnsTheObservationOff() {
        runner.withPropertyValues("management.observations.enable.parfor.loop=false")
                .run(context -> {
                    context.getBean(ParallelFor.class).loop("unobserved").map(range(4), x -> x);
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    assertThat(meters.find("parfor.loop")
                                    .tag("loop", "unobserved")
                                    .timers())
                            .isEmpty();
                    assertThat(meters.get("parfor.tasks")
                                    .tag("loop", "unobserved")
                                    .counter()
                                    .count())
                            .isEqualTo(4);
                });
    }

    @Test
    void shouldRecordTheSameMetersWithAndWithoutTheObservation() {
        java.util.function.Function<ApplicationContextRunner, java.util.Set<String>> meterIds = runner -> {
            java.util.Set<String> ids = new java.util.TreeSet<>();
            runner.run(context -> {
                ParallelFor parfor = context.getBean(ParallelFor.class);
                parfor.loop("same").map(range(4), x -> x);
                assertThatThrownBy(
                                () -> parfor.loop("same").engine("sequential").map(range(4), x -> {
                                    throw new IllegalStateException("bad input");
                                }))
                        .isInstanceOf(ParallelForException.class);
                for (io.micrometer.core.instrument.Meter meter :
                        context.getBean(MeterRegistry.class).getMeters()) {
                    if (List.of("parfor.loop", "parfor.loop.active")
                                    .contains(meter.getId().getName())
                            && !"none".equals(meter.getId().getTag("loop"))) {
                        ids.add(meter.getId().getName() + " " + meter.getId().getTags() + " "
                                + meter.getId().getType());
                    }
                }
            });
            return ids;
        };
        java.util.Set<String> direct = meterIds.apply(runner);
        java.util.Set<String> observed = meterIds.apply(runner.withUserConfiguration(OtherHandler.class));
        assertThat(direct).hasSize(4).isEqualTo(observed);
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomConvention {

        @Bean
        ParforLoopObservationConvention customConvention() {
            return new DefaultParforLoopObservationConvention() {
                @Override
                public String getName() {
                    return "custom.loop";
                }

                @Override
                public KeyValues getLowCardinalityKeyValues(ParforLoopObservationContext context) {
                    return super.getLowCardinalityKeyValues(context).and("team", "search");
                }
            };
        }
    }

    /** An observation handler that is not about metrics, as tracing would add. */
    @Configuration(proxyBeanMethods = false)
    static class OtherHandler {

        @Bean
        io.micrometer.observation.ObservationHandler<io.micrometer.observation.Observation.Context> otherHandler() {
            return new io.micrometer.observation.ObservationHandler<>() {
                @Override
                public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
                    return true;
                }
            };
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TestRegistry {

        @Bean
        TestObservationRegistry observationRegistry() {
            return TestObservationRegistry.create();
        }
    }
}
