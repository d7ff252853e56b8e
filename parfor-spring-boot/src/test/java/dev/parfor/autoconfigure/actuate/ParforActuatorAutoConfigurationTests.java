package dev.parfor.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.autoconfigure.ParallelForBuilderCustomizer;
import dev.parfor.autoconfigure.ParforAutoConfiguration;
import dev.parfor.autoconfigure.ParforLifecycle;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ParforActuatorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    EndpointAutoConfiguration.class,
                    ParforAutoConfiguration.class,
                    ParforActuatorAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=parfor");

    @Test
    void shouldProvideTheEndpointAndTheHealthContributor() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ParforEndpoint.class).hasSingleBean(RecentLoops.class);
            assertThat(context).hasBean("parforHealthIndicator");
        });
    }

    @Test
    void shouldNotProvideTheEndpointWhenItIsNotExposed() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        EndpointAutoConfiguration.class,
                        ParforAutoConfiguration.class,
                        ParforActuatorAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(ParforEndpoint.class));
    }

    @Test
    void shouldListEachSharedLimitWithItsUse() {
        runner.withPropertyValues("parfor.limits.db.max-concurrency=3", "parfor.limits.db.rate=100")
                .withBean(ParallelForBuilderCustomizer.class, () -> builder -> builder.limit("mail", 2, 0, 1))
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    ParforEndpoint endpoint = context.getBean(ParforEndpoint.class);
                    parfor.loop("query").limit("db").map(range(4), x -> x);
                    assertThat(endpoint.parfor().limits()).hasSize(2);
                    assertThat(endpoint.parfor().limits().get(0)).satisfies(limit -> {
                        assertThat(limit.name()).isEqualTo("db");
                        assertThat(limit.maxConcurrency()).isEqualTo(3);
                        assertThat(limit.permitsPerSecond()).isEqualTo(100.0);
                        assertThat(limit.acquired()).isEqualTo(4);
                        assertThat(limit.inUse()).isZero();
                    });
                    assertThat(endpoint.parfor().limits().get(1)).satisfies(limit -> {
                        assertThat(limit.name()).isEqualTo("mail");
                        assertThat(limit.maxConcurrency())
                                .as("a limit registered in code has no configured bounds to show")
                                .isNull();
                        assertThat(limit.permitsPerSecond()).isNull();
                        assertThat(limit.acquired()).isZero();
                    });
                });
    }

    @Test
    void shouldDescribeEnginesRunningLoopsAndRecentLoops() {
        runner.withPropertyValues("parfor.engines.fork-join.parallelism=2").run(context -> {
            ParallelFor parfor = context.getBean(ParallelFor.class);
            ParforEndpoint endpoint = context.getBean(ParforEndpoint.class);
            ParforEndpoint.ParforDescriptor idle = endpoint.parfor();
            assertThat(idle.defaultEngine()).isEqualTo("fork-join");
            assertThat(idle.engines())
                    .extracting(ParforEndpoint.EngineDescriptor::name)
                    .as("the default engine first")
                    .containsExactly("fork-join", "sequential", "virtual");
            assertThat(idle.engines())
                    .filteredOn(e -> e.name().equals("fork-join"))
                    .singleElement()
                    .satisfies(e -> {
                        assertThat(e.type()).isEqualTo("fork-join");
                        assertThat(e.parallelism()).isEqualTo(2);
                        assertThat(e.active()).isZero();
                    });
            assertThat(idle.running()).isEmpty();
            assertThat(idle.recent()).isEmpty();

            CountDownLatch release = new CountDownLatch(1);
            Instant beforeStart = Instant.now();
            CompletableFuture<List<Integer>> held = CompletableFuture.supplyAsync(
                    () -> parfor.loop("held").chunkSize(1).map(range(6), x -> {
                        release.await();
                        return x;
                    }),
                    Thread::startVirtualThread);
            Awaitility.await().until(() -> !endpoint.parfor().running().isEmpty());
            ParforEndpoint.RunningLoop running = endpoint.parfor().running().get(0);
            assertThat(Instant.parse(running.startedAt()))
                    .as("when the loop started (a second either way for a wall clock that is set meanwhile)")
                    .isBetween(beforeStart.minusSeconds(1), Instant.now().plusSeconds(1));
            assertThat(running.loop()).isEqualTo("held");
            assertThat(running.engine()).isEqualTo("fork-join");
            assertThat(running.total()).isEqualTo(6);
            assertThat(running.done()).isZero();
            assertThat(running.etaMillis())
                    .as("no estimate before the first input is done")
                    .isNull();
            release.countDown();
            assertThat(held.get(1, TimeUnit.MINUTES)).hasSize(6);

            for (int i = 0; i < RecentLoops.CAPACITY + 5; i++) {
                parfor.loop("quick-" + i).engine("sequential").map(range(3), x -> x);
            }
            List<ParforEndpoint.FinishedLoop> recent = endpoint.parfor().recent();
            assertThat(recent).hasSize(RecentLoops.CAPACITY);
            assertThat(recent.get(0).loop()).isEqualTo("quick-" + (RecentLoops.CAPACITY + 4));
            assertThat(recent.get(0).outcome()).isEqualTo("success");
            assertThat(recent.get(0).total()).isEqualTo(3);
            assertThat(recent.get(0).done()).isEqualTo(3);
            assertThat(Instant.parse(recent.get(0).startedAt()))
                    .isBeforeOrEqualTo(Instant.parse(recent.get(0).finishedAt()))
                    .isBeforeOrEqualTo(Instant.now());
            assertThat(recent).extracting(ParforEndpoint.FinishedLoop::loop).doesNotContain("held");
        });
    }

    @Test
    void shouldDescribeOneRunningLoopWithItsFirstFailuresAndCancelIt() throws Exception {
        runner.run(context -> {
            ParallelFor parfor = context.getBean(ParallelFor.class);
            ParforEndpoint endpoint = context.getBean(ParforEndpoint.class);
            CountDownLatch never = new CountDownLatch(1);
            CompletableFuture<LoopResult<Integer>> held = CompletableFuture.supplyAsync(
                    () -> parfor.loop("controlled")
                            .engine("virtual")
                            .chunkSize(1)
                            .onError(ErrorPolicy.COLLECT)
                            .run(range(6), x -> {
                                if (x < 2) {
                                    throw new IllegalArgumentException("bad input " + x);
                                }
                                never.await();
                                return x;
                            }),
                    Thread::startVirtualThread);
            Awaitility.await()
                    .until(() -> !endpoint.parfor().running().isEmpty()
                            && endpoint.parfor().running().get(0).failed() == 2);
            String id = endpoint.parfor().running().get(0).id();

            ParforEndpoint.LoopDescriptor loop = endpoint.loop(id);
            assertThat(loop).isNotNull();
            assertThat(loop.state()).isEqualTo("running");
            assertThat(loop.engine()).isEqualTo("virtual");
            assertThat(loop.total()).isEqualTo(6);
            assertThat(loop.failures())
                    .extracting(ParforEndpoint.FailureDescriptor::index, ParforEndpoint.FailureDescriptor::input)
                    .containsExactlyInAnyOrder(tuple(0L, "0"), tuple(1L, "1"));
            assertThat(loop.failures()).allSatisfy(f -> assertThat(f.message()).startsWith("bad input"));
            assertThat(endpoint.loop("no-such-loop")).isNull();
            assertThat(endpoint.cancel("no-such-loop").cancelled()).isFalse();

            ParforEndpoint.CancelDescriptor cancelled = endpoint.cancel(id);
            assertThat(cancelled.cancelled()).isTrue();
            assertThat(cancelled.loop()).isEqualTo("controlled");
            assertThatThrownBy(() -> held.get(1, TimeUnit.MINUTES))
                    .cause()
                    .isInstanceOf(ParallelForException.class)
                    .hasMessageContaining("cancelled from outside")
                    .satisfies(e ->
                            assertThat(((ParallelForException) e).outcome()).isEqualTo(Outcome.CANCELLED));
            Awaitility.await()
                    .until(() -> endpoint.loop(id) != null
                            && !"running".equals(endpoint.loop(id).state()));
            assertThat(endpoint.loop(id).state()).isEqualTo("cancelled");
            assertThat(endpoint.loop(id).finishedAt()).isNotNull();
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldReportUpWithEnginesAndDownOnceShutDown() {
        runner.run(context -> {
            HealthIndicator health = context.getBean("parforHealthIndicator", HealthIndicator.class);
            Health up = health.health(true);
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat(up.getDetails()).containsEntry("defaultEngine", "fork-join");
            Map<String, Map<String, Object>> engines =
                    (Map<String, Map<String, Object>>) up.getDetails().get("engines");
            assertThat(engines).containsKeys("sequential", "fork-join", "virtual");
            assertThat(engines.get("virtual")).containsEntry("type", "virtual");

            context.getBean(ParforLifecycle.class).stop();
            assertThat(health.health(true).getStatus()).isEqualTo(Status.DOWN);
        });
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }
}
