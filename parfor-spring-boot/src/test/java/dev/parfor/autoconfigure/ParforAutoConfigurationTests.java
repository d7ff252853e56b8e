package dev.parfor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parfor.Engines;
import dev.parfor.ErrorPolicy;
import dev.parfor.LoopResult;
import dev.parfor.Outcome;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import dev.parfor.autoconfigure.actuate.ParforActuatorAutoConfiguration;
import dev.parfor.autoconfigure.actuate.ParforEndpoint;
import dev.parfor.autoconfigure.metrics.ParforMetricsAutoConfiguration;
import dev.parfor.spi.Engine;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

@ExtendWith(OutputCaptureExtension.class)
class ParforAutoConfigurationTests {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ParforAutoConfiguration.class));

    @Test
    void shouldProvideParallelForOverTheBuiltInEnginesWithForkJoinAsDefault() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ParallelFor.class).hasSingleBean(ParforLifecycle.class);
            ParallelFor parfor = context.getBean(ParallelFor.class);
            assertThat(parfor.engines()).containsOnlyKeys("sequential", "fork-join", "virtual");
            assertThat(parfor.engines().keySet())
                    .as("the default engine first")
                    .first()
                    .isEqualTo("fork-join");
            assertThat(context.getBeansOfType(Engine.class))
                    .as("parfor's engines are not beans, so no bean of the application can clash with one")
                    .isEmpty();
            assertThat(parfor.engines().get("fork-join").parallelism())
                    .isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(parfor.engines().get("virtual").parallelism()).isEqualTo(ParforEngines.DEFAULT_MAX_CONCURRENCY);
            assertThat(parfor.map(List.of(1, 2, 3), x -> x * x)).containsExactly(1, 4, 9);
        });
    }

    @Test
    void shouldNotPublishAnyEngineAsExecutorOrTaskDecorator() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean(Executor.class).doesNotHaveBean(TaskDecorator.class);
        });
    }

    @Test
    void shouldKeepApplicationTaskExecutorUnchangedWhenTaskExecutionIsAutoConfigured() {
        ApplicationContextRunner withTasks = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class));
        ThreadPoolTaskExecutor[] without = new ThreadPoolTaskExecutor[1];
        withTasks.run(context -> without[0] = context.getBean("applicationTaskExecutor", ThreadPoolTaskExecutor.class));
        withTasks
                .withConfiguration(AutoConfigurations.of(ParforAutoConfiguration.class))
                .withPropertyValues(
                        "parfor.engines.app.type=executor", "parfor.engines.app.executor=applicationTaskExecutor")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasBean("applicationTaskExecutor");
                    assertThat(context.getBeansOfType(Executor.class)).containsOnlyKeys("applicationTaskExecutor");
                    ThreadPoolTaskExecutor executor =
                            context.getBean("applicationTaskExecutor", ThreadPoolTaskExecutor.class);
                    assertThat(executor.getCorePoolSize()).isEqualTo(without[0].getCorePoolSize());
                    assertThat(executor.getMaxPoolSize()).isEqualTo(without[0].getMaxPoolSize());
                    assertThat(executor.getThreadNamePrefix()).isEqualTo(without[0].getThreadNamePrefix());
                    // The executor engine runs on it.
                    List<String> threads = context.getBean(ParallelFor.class)
                            .loop("on-app")
                            .engine("app")
                            .chunkSize(1)
                            .map(range(20), x -> Thread.currentThread().getName());
                    assertThat(threads).allMatch(name -> name.startsWith(executor.getThreadNamePrefix()));
                });
    }

    @Test
    void shouldBindEngineProperties() {
        runner.withPropertyValues(
                        "parfor.engine=io",
                        "parfor.engines.fork-join.parallelism=3",
                        "parfor.engines.io.type=virtual",
                        "parfor.engines.io.max-concurrency=5",
                        "parfor.engines.debug.type=SEQUENTIAL")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    assertThat(parfor.engines()).containsOnlyKeys("sequential", "fork-join", "virtual", "io", "debug");
                    assertThat(parfor.engines().keySet())
                            .as("the default engine first")
                            .first()
                            .isEqualTo("io");
                    assertThat(parfor.loop("unrouted")
                                    .map(List.of(1), x -> Thread.currentThread().isVirtual()))
                            .as("a loop that names no engine runs on the default")
                            .containsExactly(true);
                    assertThat(parfor.engines().get("fork-join").parallelism()).isEqualTo(3);
                    assertThat(parfor.engines().get("io").parallelism()).isEqualTo(5);
                    assertThat(parfor.engines().get("io").type()).isEqualTo("virtual");
                    assertThat(parfor.engines().get("debug").type()).isEqualTo("sequential");
                    // Threads are named after the engine.
                    assertThat(threadsOf(parfor, "fork-join")).allMatch(name -> name.startsWith("parfor-fork-join-"));
                    assertThat(threadsOf(parfor, "io")).allMatch(name -> name.startsWith("parfor-io-"));
                    ParforProperties properties = context.getBean(ParforProperties.class);
                    assertThat(properties.getProgress().getInterval()).hasSeconds(10);
                    assertThat(properties.getShutdown().getAwaitTerminationPeriod())
                            .hasSeconds(10);
                    assertThat(properties.getMetrics().getTaskTimer().isEnabled())
                            .isFalse();
                    // No cluster name or interface: the embedded member derives them (spring.application.name,
                    // 127.0.0.1 or any on Kubernetes); and it starts only when enabled.
                    assertThat(properties.getHazelcast().getEmbedded().isEnabled())
                            .isFalse();
                    assertThat(properties.getHazelcast().getEmbedded().getClusterName())
                            .isNull();
                    assertThat(properties.getHazelcast().getEmbedded().getPort())
                            .isEqualTo(5701);
                    assertThat(properties.getHazelcast().getEmbedded().getInterface())
                            .isNull();
                });
    }

    @Test
    void shouldBindHazelcastAndLoopProperties() {
        runner.withPropertyValues(
                        "parfor.engines.fork-join.executor-name=work",
                        "parfor.engines.fork-join.pool-size=4",
                        "parfor.engines.fork-join.max-attempts=5",
                        "parfor.hazelcast.allowed-packages=com.example,org.example",
                        "parfor.hazelcast.embedded.enabled=false",
                        "parfor.hazelcast.embedded.members=10.0.0.1:5701,10.0.0.2",
                        "parfor.hazelcast.embedded.interface=10.0.0.3",
                        "parfor.loops.report.timeout=30s",
                        "parfor.loops.report.task-timeout=500ms",
                        "parfor.loops.report.retries=2",
                        "parfor.loops.report.backoff=100ms",
                        "parfor.loops.report.on-error=collect",
                        "parfor.progress.log-level=off",
                        "parfor.progress.summary-log-level=debug")
                .run(context -> {
                    ParforProperties properties = context.getBean(ParforProperties.class);
                    ParforProperties.EngineProperties forkJoin =
                            properties.getEngines().get("fork-join");
                    assertThat(forkJoin.getExecutorName()).isEqualTo("work");
                    assertThat(forkJoin.getPoolSize()).isEqualTo(4);
                    assertThat(forkJoin.getMaxAttempts()).isEqualTo(5);
                    assertThat(properties.getHazelcast().getAllowedPackages())
                            .containsExactly("com.example", "org.example");
                    assertThat(properties.getHazelcast().getEmbedded().isEnabled())
                            .isFalse();
                    assertThat(properties.getHazelcast().getEmbedded().getMembers())
                            .containsExactly("10.0.0.1:5701", "10.0.0.2");
                    assertThat(properties.getHazelcast().getEmbedded().getInterface())
                            .isEqualTo("10.0.0.3");
                    ParforProperties.LoopProperties report =
                            properties.getLoops().get("report");
                    assertThat(report.getTimeout()).hasSeconds(30);
                    assertThat(report.getTaskTimeout()).hasMillis(500);
                    assertThat(report.getOnError()).isEqualTo(ErrorPolicy.COLLECT);
                    assertThat(report.getRetries()).isEqualTo(2);
                    assertThat(report.getBackoff()).hasMillis(100);
                    assertThat(properties.getProgress().getLogLevel())
                            .isEqualTo(org.springframework.boot.logging.LogLevel.OFF);
                });
    }

    @Test
    void shouldLetLoopPropertiesBeatWhatTheCodeSays() {
        runner.withPropertyValues(
                        "parfor.loops.report.engine=sequential",
                        "parfor.loops.report.on-error=collect",
                        "parfor.loops.retried.retries=2")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    String caller = Thread.currentThread().getName();
                    // The code asks for fork-join and fail-fast; the operator's properties say sequential and collect.
                    LoopResult<String> result = parfor.loop("report")
                            .engine("fork-join")
                            .onError(ErrorPolicy.FAIL_FAST)
                            .run(range(10), x -> {
                                if (x == 3) {
                                    throw new IllegalStateException("bad input " + x);
                                }
                                return Thread.currentThread().getName();
                            });
                    assertThat(result.failures())
                            .singleElement()
                            .satisfies(f -> assertThat(f.index()).isEqualTo(3));
                    assertThat(result.values())
                            .filteredOn(v -> v != null)
                            .hasSize(9)
                            .allMatch(caller::equals);
                    // The code says no retries; the property says two.
                    int[] attempts = new int[1];
                    List<Integer> retried = parfor.loop("retried")
                            .engine("sequential")
                            .retries(0, java.time.Duration.ZERO)
                            .map(List.of(1), x -> {
                                if (++attempts[0] < 3) {
                                    throw new IllegalStateException("flaky");
                                }
                                return x;
                            });
                    assertThat(retried).containsExactly(1);
                    assertThat(attempts[0]).isEqualTo(3);
                });
    }

    @Test
    void shouldApplyEngineDefaultsBelowTheCallSiteAndLoopPropertiesAboveIt() {
        runner.withUserConfiguration(ChunkRecorder.class)
                .withPropertyValues("parfor.engines.fork-join.chunk-size=5", "parfor.loops.operator.chunk-size=4")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    ChunkRecorder chunks = context.getBean(ChunkRecorder.class);
                    parfor.loop("engine-default").map(range(20), x -> x);
                    parfor.loop("call-site").chunkSize(2).map(range(20), x -> x);
                    parfor.loop("operator").chunkSize(2).map(range(20), x -> x);
                    assertThat(chunks.sizes("engine-default")).containsOnly(5);
                    assertThat(chunks.sizes("call-site")).containsOnly(2);
                    assertThat(chunks.sizes("operator")).containsOnly(4);
                });
    }

    @Test
    void shouldLogASummaryLineWhenALoopFinishesAtTheConfiguredLevel(CapturedOutput output) {
        runner.withPropertyValues("parfor.progress.summary-log-level=warn").run(context -> {
            context.getBean(ParallelFor.class).loop("summarized").map(range(3), x -> x);
            assertThat(output)
                    .containsPattern("WARN .* dev\\.parfor\\.summary - loop finished SUCCESS: summarized on"
                            + " fork-join: 3/3 done, 0 failed");
        });
        runner.withPropertyValues("parfor.progress.summary-log-level=off").run(context -> {
            context.getBean(ParallelFor.class).loop("silent").map(range(3), x -> x);
            assertThat(output).doesNotContain("silent on fork-join");
        });
    }

    @Test
    void shouldLogProgressOfARunningLoopAtTheConfiguredIntervalAndLevel(CapturedOutput output) throws Exception {
        runner.withPropertyValues("parfor.progress.interval=20ms", "parfor.progress.log-level=warn")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    CountDownLatch release = new CountDownLatch(1);
                    CompletableFuture<List<Integer>> loop = CompletableFuture.supplyAsync(
                            () -> parfor.loop("reported").chunkSize(1).map(range(4), x -> {
                                release.await();
                                return x;
                            }),
                            Thread::startVirtualThread);
                    Awaitility.await()
                            .until(() ->
                                    output.getOut().contains("dev.parfor.progress - reported on fork-join: 0/4 done"));
                    release.countDown();
                    assertThat(loop.get(1, TimeUnit.MINUTES)).hasSize(4);
                });
    }

    @Test
    void shouldLetTheApplicationsParallelForWin() {
        runner.withUserConfiguration(OwnParallelFor.class).run(context -> {
            assertThat(context).hasSingleBean(ParallelFor.class);
            assertThat(context.getBean(ParallelFor.class)).isSameAs(context.getBean("ownParallelFor"));
        });
    }

    @Test
    void shouldMakeTheApplicationsEngineBeanAvailableByItsName() {
        runner.withUserConfiguration(OwnEngines.class)
                .withPropertyValues("parfor.loops.train.engine=gpu", "parfor.engines.gpu.chunk-size=2")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    assertThat(parfor.engines()).containsKeys("gpu", "fork-join", "virtual", "sequential");
                    assertThat(parfor.engines().get("gpu")).isSameAs(context.getBean("gpu"));
                    // The application's own fork-join replaces the built-in one.
                    assertThat(parfor.engines().get("fork-join")).isSameAs(context.getBean(OwnEngines.class).forkJoin);
                    List<String> threads = parfor.loop("train")
                            .map(range(20), x -> Thread.currentThread().getName());
                    assertThat(threads).allMatch(name -> name.startsWith("parfor-gpu-"));
                });
    }

    @Test
    void shouldWorkWithoutMicrometerAndActuator() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ObservationAutoConfiguration.class,
                        MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        ParforAutoConfiguration.class,
                        ParforMetricsAutoConfiguration.class,
                        ParforActuatorAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer", "org.springframework.boot.actuate"))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(ParallelFor.class);
                    assertThat(context).doesNotHaveBean("parforObservationListener");
                    assertThat(context).doesNotHaveBean("parforTaskMetricsListener");
                    assertThat(context).doesNotHaveBean("parforContextPropagator");
                    assertThat(context).doesNotHaveBean(ParforEndpoint.class);
                    assertThat(context.getBean(ParallelFor.class).map(range(5), x -> x + 1))
                            .containsExactly(1, 2, 3, 4, 5);
                });
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES) // guards against a hang; not a timing assertion
    void shouldCancelARunningLoopWithAClearErrorWhenTheContextCloses() {
        runner.withPropertyValues("parfor.shutdown.await-termination-period=200ms")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    ParforLifecycle lifecycle = context.getBean(ParforLifecycle.class);
                    CountDownLatch never = new CountDownLatch(1);
                    CompletableFuture<List<Object>> loop = CompletableFuture.supplyAsync(
                            () -> parfor.loop("stuck").chunkSize(1).map(range(8), x -> {
                                never.await();
                                return x;
                            }),
                            Thread::startVirtualThread);
                    Awaitility.await().until(() -> !parfor.running().isEmpty());
                    context.close();
                    assertThatThrownBy(loop::get)
                            .isInstanceOf(ExecutionException.class)
                            .cause()
                            .isInstanceOf(ParallelForException.class)
                            .hasMessageContaining("loop 'stuck' was cancelled")
                            .hasMessageContaining("shutting down");
                    ParallelForException error = (ParallelForException)
                            loop.handle((v, e) -> e.getCause()).join();
                    assertThat(error.outcome()).isEqualTo(Outcome.CANCELLED);
                    assertThat(lifecycle.isRunning()).isFalse();
                    assertThatThrownBy(() -> parfor.map(List.of(1), x -> x)).hasMessageContaining("shut down");
                });
    }

    @Test
    void shouldLetRunningLoopsFinishWithinTheGracePeriod() {
        runner.withPropertyValues("parfor.shutdown.await-termination-period=1m").run(context -> {
            ParallelFor parfor = context.getBean(ParallelFor.class);
            ParforLifecycle lifecycle = context.getBean(ParforLifecycle.class);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<List<Integer>> loop = CompletableFuture.supplyAsync(
                    () -> parfor.loop("finishing").chunkSize(1).map(range(4), x -> {
                        release.await();
                        return x * 2;
                    }),
                    Thread::startVirtualThread);
            Awaitility.await().until(() -> !parfor.running().isEmpty());
            CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close, Thread::startVirtualThread);
            // Closing waits for the loop: it has not returned while the loop is held.
            Awaitility.await().until(() -> !lifecycle.isRunning());
            assertThat(closing).isNotDone();
            release.countDown();
            assertThat(loop.get(1, TimeUnit.MINUTES)).containsExactly(0, 2, 4, 6);
            closing.get(1, TimeUnit.MINUTES);
        });
    }

    // -------------------------------------------------------------------------------------------------------------
    // Bad configuration

    @Test
    void shouldRefuseAnUnknownEngineType() {
        assertFailure(
                new String[] {"parfor.engines.gpu.type=cuda"},
                "parfor.engines.gpu.type",
                "cuda",
                "sequential, fork-join, virtual, executor, hazelcast");
    }

    @Test
    void shouldRefuseAThreadNamePrefixNowThatThreadsAreNamedAfterTheEngine() {
        runner.withPropertyValues("parfor.engines.io.type=virtual", "parfor.engines.io.thread-name-prefix=io-")
                .run(context -> {
                    assertThat(context).hasFailed();
                    InvalidParforPropertyException error = find(context.getStartupFailure());
                    assertThat(error).isNotNull();
                    assertThat(error.property()).isEqualTo("parfor.engines.io.thread-name-prefix");
                    assertThat(error.problem()).contains("'thread-name-prefix' is not a property of engine 'io'");
                    assertThat(error.action())
                            .contains("Remove it")
                            .contains("threads after the engine ('parfor-io-<n>')");
                });
    }

    @Test
    void shouldRefuseParallelismBelowOne() {
        assertFailure(
                new String[] {"parfor.engines.fork-join.parallelism=0"},
                "parfor.engines.fork-join.parallelism",
                "0",
                "1 or more");
        assertFailure(
                new String[] {"parfor.loops.report.parallelism=-3"},
                "parfor.loops.report.parallelism",
                "-3",
                "1 or more");
    }

    @Test
    void shouldRefuseAnExecutorEngineWhoseBeanDoesNotExist() {
        assertFailure(
                new ApplicationContextRunner()
                        .withConfiguration(AutoConfigurations.of(
                                TaskExecutionAutoConfiguration.class, ParforAutoConfiguration.class)),
                new String[] {"parfor.engines.app.type=executor", "parfor.engines.app.executor=taskExecutr"},
                "parfor.engines.app.executor",
                "taskExecutr",
                "applicationTaskExecutor");
        assertFailure(
                new String[] {"parfor.engines.app.type=executor"},
                "parfor.engines.app.executor",
                "(not set)",
                "applicationTaskExecutor");
    }

    @Test
    void shouldRefuseALoopRoutedToAnUnknownEngine() {
        assertFailure(
                new String[] {"parfor.loops.report.engine=gpu"},
                "parfor.loops.report.engine",
                "gpu",
                "fork-join, sequential, virtual");
    }

    @Test
    void shouldRefuseAnUnknownDefaultEngine() {
        assertFailure(new String[] {"parfor.engine=turbo"}, "parfor.engine", "turbo", "fork-join, sequential, virtual");
    }

    @Test
    void shouldAskForHazelcastWhenAHazelcastEngineHasNoBean() {
        assertFailure(
                new String[] {"parfor.engines.cluster.type=hazelcast"},
                "parfor.engines.cluster.type",
                "hazelcast",
                "com.hazelcast:hazelcast");
    }

    @Test
    void shouldAskForATypeWhenAnEngineIsNeitherBuiltInNorABean() {
        assertFailure(
                new String[] {"parfor.engines.extra.parallelism=2"},
                "parfor.engines.extra.type",
                "(not set)",
                "sequential, fork-join, virtual, executor, hazelcast");
    }

    @Test
    void shouldRefuseABackoffWithoutRetries() {
        assertFailure(new String[] {"parfor.loops.report.backoff=1s"}, "parfor.loops.report.backoff", "1s", "retries");
    }

    @Test
    void shouldRegisterTheFailureAnalyzer() {
        // Loaded as Spring Boot loads failure analyzers, with the environment as a constructor argument.
        assertThat(org.springframework.core.io.support.SpringFactoriesLoader.forDefaultResourceLocation(
                                getClass().getClassLoader())
                        .load(
                                org.springframework.boot.diagnostics.FailureAnalyzer.class,
                                org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver.of(
                                                org.springframework.core.env.Environment.class,
                                                new org.springframework.core.env.StandardEnvironment())
                                        .and(
                                                org.springframework.beans.factory.BeanFactory.class,
                                                new org.springframework.beans.factory.support
                                                        .DefaultListableBeanFactory()),
                                // Analyzers of libraries this test does not have cannot load; they do not matter.
                                org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler.logging(
                                        org.apache.commons.logging.LogFactory.getLog(getClass()))))
                .hasAtLeastOneElementOfType(ParforFailureAnalyzer.class);
    }

    // -------------------------------------------------------------------------------------------------------------
    // Engines and the application's beans

    @Test
    void shouldKeepAConfiguredEngineWhenTheApplicationHasAnUnrelatedBeanOfTheSameName() {
        runner.withUserConfiguration(UnrelatedIoBean.class)
                .withPropertyValues("parfor.engines.io.type=virtual")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean("io")).isInstanceOf(java.net.http.HttpClient.class);
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    assertThat(parfor.engines()).containsKey("io");
                    assertThat(parfor.engines().get("io").type()).isEqualTo("virtual");
                    assertThat(threadsOf(parfor, "io")).allMatch(name -> name.startsWith("parfor-io-"));
                });
    }

    @Test
    void shouldNameTheApplicationsBeanWhenALoopIsRoutedToABeanThatIsNoEngine() {
        assertFailure(
                runner.withUserConfiguration(UnrelatedIoBean.class),
                new String[] {"parfor.loops.report.engine=io"},
                "parfor.loops.report.engine",
                "io",
                "fork-join, sequential, virtual");
        runner.withUserConfiguration(UnrelatedIoBean.class)
                .withPropertyValues("parfor.loops.report.engine=io")
                .run(context -> assertThat(find(context.getStartupFailure()).problem())
                        .contains("the application has a bean named 'io', but it is a java.net.http.HttpClient"));
    }

    @Test
    void shouldNameTheBeanAndItsTypeWhenAnExecutorEngineNamesABeanThatIsNoExecutor() {
        runner.withUserConfiguration(UnrelatedIoBean.class)
                .withPropertyValues("parfor.engines.app.type=executor", "parfor.engines.app.executor=io")
                .run(context -> {
                    InvalidParforPropertyException error = find(context.getStartupFailure());
                    assertThat(error).isNotNull();
                    assertThat(error.property()).isEqualTo("parfor.engines.app.executor");
                    assertThat(error.problem())
                            .isEqualTo("the bean 'io' is a java.net.http.HttpClient, not a"
                                    + " java.util.concurrent.Executor");
                });
    }

    @Test
    void shouldNameTheApplicationsEngineBeanWhenPropertiesTryToBuildAnEngineOfTheSameName() {
        runner.withUserConfiguration(OwnEngines.class)
                .withPropertyValues("parfor.engines.gpu.type=virtual")
                .run(context -> {
                    assertThat(context).hasFailed();
                    InvalidParforPropertyException error = find(context.getStartupFailure());
                    assertThat(error).isNotNull();
                    assertThat(error.property()).isEqualTo("parfor.engines.gpu.type");
                    assertThat(error.problem()).contains("the application's bean 'gpu'");
                });
    }

    @Test
    void shouldMakeAnEngineBeanWithThePrefixedNameTheEngineOfTheRestOfTheName() {
        runner.withUserConfiguration(PrefixedEngine.class, UnrelatedIoBean.class)
                .withPropertyValues("parfor.loops.report.engine=io")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    assertThat(parfor.engines().get("io")).isSameAs(context.getBean("parfor.engines.io"));
                    assertThat(context.getBean("io")).isInstanceOf(java.net.http.HttpClient.class);
                });
    }

    @Test
    void shouldApplyTheApplicationsBuilderCustomizers() {
        runner.withUserConfiguration(Customizer.class).run(context -> {
            ParallelFor parfor = context.getBean(ParallelFor.class);
            assertThat(parfor.engines()).containsKey("from-code");
            assertThat(parfor.loop("customized")
                            .map(range(3), x -> Thread.currentThread().getName()))
                    .allMatch(name -> name.startsWith("parfor-from-code-"));
        });
    }

    // -------------------------------------------------------------------------------------------------------------
    // Configuration that would never apply

    @Test
    void shouldRefuseAnUnknownKeyUnderALoopWithTheKnownKeys() {
        assertFailure(
                new String[] {"parfor.loops.report.paralelism=4"},
                "parfor.loops.report.paralelism",
                "4",
                "parallelism");
        runner.withPropertyValues("parfor.loops.report.paralelism=4")
                .run(context -> assertThat(find(context.getStartupFailure()).action())
                        .contains("parallelism", "chunk-size", "on-error", "backoff"));
    }

    @Test
    void shouldRefuseAnUnknownKeyUnderAnEngineWithTheKnownKeys() {
        assertFailure(
                new String[] {"parfor.engines.fork-join.paralelism=4"},
                "parfor.engines.fork-join.paralelism",
                "4",
                "max-concurrency");
    }

    @Test
    void shouldExplainBracketsForALoopNameWithADot() {
        assertFailure(
                new String[] {"parfor.loops.ReportService.renderAll.engine=sequential"},
                "parfor.loops.ReportService.renderAll.engine",
                "sequential",
                "'parfor.loops[ReportService.renderAll].engine'");
    }

    @Test
    void shouldApplyLoopPropertiesToADefaultLoopNameAsWritten() {
        runner.withPropertyValues("parfor.loops.report-service-render-all.engine=sequential")
                .run(context -> {
                    String caller = Thread.currentThread().getName();
                    assertThat(context.getBean(ParallelFor.class)
                                    .loop("report-service-render-all")
                                    .map(range(10), x -> Thread.currentThread().getName()))
                            .containsOnly(caller);
                });
    }

    @Test
    void shouldApplyLoopPropertiesToAnUnnamedLoopUnderItsDefaultName() {
        runner.withPropertyValues("parfor.loops.report-service-render-all.engine=sequential")
                .run(context -> {
                    String caller = Thread.currentThread().getName();
                    ReportService service = new ReportService(context.getBean(ParallelFor.class));
                    assertThat(service.renderAll(range(10))).containsOnly(caller);
                });
    }

    /** A service with an unnamed loop, named after the class and method: report-service-render-all. */
    static final class ReportService {
        private final ParallelFor parfor;

        ReportService(ParallelFor parfor) {
            this.parfor = parfor;
        }

        List<String> renderAll(List<Integer> inputs) {
            return parfor.map(inputs, x -> Thread.currentThread().getName());
        }
    }

    @Test
    void shouldReportConfiguredLoopsThatNeverRanOnceAtShutdown(CapturedOutput output) {
        runner.withPropertyValues("parfor.loops.never-run.engine=sequential", "parfor.loops.used.chunk-size=2")
                .run(context -> {
                    context.getBean(ParallelFor.class).loop("used").map(range(4), x -> x);
                    assertThat(output).doesNotContain("never-run");
                    context.getBean(ParforLifecycle.class).stop();
                    context.getBean(ParforLifecycle.class).stop();
                });
        assertThat(output)
                .containsOnlyOnce("dev.parfor.config - parfor.loops configures a loop that no loop used while the"
                        + " application ran: never-run.");
    }

    // -------------------------------------------------------------------------------------------------------------
    // One path for every bad property: the value as written, and where it was set

    @Test
    void shouldShowTheValueAsWrittenAndWhereItWasSet() {
        runner.withPropertyValues("parfor.loops.report.backoff=100ms").run(context -> {
            FailureAnalysis analysis = new ParforFailureAnalyzer(null).analyze(context.getStartupFailure());
            assertThat(analysis.getDescription())
                    .contains("'parfor.loops.report.backoff' has the value '100ms' (")
                    .doesNotContain("PT0.1S");
        });
    }

    @Test
    void shouldReportAValueThatCannotBeConvertedThroughTheParforReport() {
        assertFailure(
                new String[] {"parfor.engines.fork-join.parallelism=many"},
                "parfor.engines.fork-join.parallelism",
                "many",
                "a whole number");
        assertFailure(
                new String[] {"parfor.loops.report.timeout=soon"}, "parfor.loops.report.timeout", "soon", "500ms");
        assertFailure(
                new String[] {"parfor.loops.report.on-error=ignore"},
                "parfor.loops.report.on-error",
                "ignore",
                "fail-fast, collect");
    }

    @Test
    void shouldReportHazelcastPropertiesThroughTheParforReport() {
        assertFailure(
                new String[] {"parfor.hazelcast.embedded.port=70000"},
                "parfor.hazelcast.embedded.port",
                "70000",
                "5701");
        assertFailure(
                new String[] {"parfor.engines.fork-join.pool-size=0"}, "parfor.engines.fork-join.pool-size", "0", "1");
    }

    // -------------------------------------------------------------------------------------------------------------
    // Summary lines

    @Test
    void shouldLogTheSummaryOfAShortLoopAtDebugAndOfALongOneAtInfo(CapturedOutput output) {
        ch.qos.logback.classic.Logger summary =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.parfor.summary");
        ch.qos.logback.classic.Level before = summary.getLevel();
        summary.setLevel(ch.qos.logback.classic.Level.DEBUG);
        try {
            // Each loop is compared with an interval that no machine's speed can put on the other side of it.
            runner.withPropertyValues("parfor.progress.interval=1h").run(context -> {
                context.getBean(ParallelFor.class).loop("short").map(range(3), x -> x);
            });
            runner.withPropertyValues("parfor.progress.interval=1ms").run(context -> {
                // Longer than the interval by construction: each input waits 20ms, one after the other.
                context.getBean(ParallelFor.class)
                        .loop("long")
                        .engine("sequential")
                        .map(range(3), x -> {
                            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                            return x;
                        });
            });
        } finally {
            summary.setLevel(before);
        }
        assertThat(output).containsPattern("DEBUG .* dev\\.parfor\\.summary - loop finished SUCCESS: short on");
        assertThat(output).containsPattern("INFO .* dev\\.parfor\\.summary - loop finished SUCCESS: long on");
    }

    @Test
    void shouldShareALimitDeclaredInPropertiesAcrossTheLoopsThatNameIt() {
        runner.withPropertyValues(
                        "parfor.limits.payments-api.max-concurrency=2",
                        "parfor.limits.payments-api.rate=1000",
                        "parfor.loops.charge.limit=payments-api",
                        "parfor.loops.charge.retries=2",
                        "parfor.loops.charge.backoff=10ms",
                        "parfor.loops.charge.backoff-multiplier=3",
                        "parfor.loops.charge.max-backoff=1s",
                        "parfor.loops.charge.jitter=0.5")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    assertThat(parfor.limits()).containsOnlyKeys("payments-api");
                    assertThat(parfor.loop("charge").map(List.of(1, 2, 3), x -> x * 10))
                            .containsExactly(10, 20, 30);
                    assertThat(parfor.limits().get("payments-api").acquired()).isEqualTo(3);
                    parfor.loop("other").map(List.of(1, 2), x -> x);
                    assertThat(parfor.limits().get("payments-api").acquired())
                            .as("a loop that names no limit takes no permit")
                            .isEqualTo(3);
                });
    }

    @Test
    void shouldReportBadLimitAndBackoffPropertiesWithTheValueAndTheFix() {
        assertFailure(
                new String[] {"parfor.limits.db.max-concurrency=0"},
                "parfor.limits.db.max-concurrency",
                "0",
                "1 or more");
        assertFailure(new String[] {"parfor.limits.db.rate=-5"}, "parfor.limits.db.rate", "-5", "such as 50");
        assertFailure(
                new String[] {"parfor.limits.db.max-concurrency=2", "parfor.loops.x.limit=payments"},
                "parfor.loops.x.limit",
                "payments",
                "db");
        assertFailure(new String[] {"parfor.loops.x.jitter=1.5"}, "parfor.loops.x.jitter", "1.5", "such as 0.5");
        assertFailure(
                new String[] {"parfor.loops.x.backoff-multiplier=0.5"},
                "parfor.loops.x.backoff-multiplier",
                "0.5",
                "2 to double");
        assertFailure(
                new String[] {"parfor.limits.db.max-concurency=2"},
                "parfor.limits.db.max-concurency",
                "2",
                "max-concurrency");
    }

    private void assertFailure(String[] properties, String property, String value, String accepted) {
        assertFailure(runner, properties, property, value, accepted);
    }

    private static void assertFailure(
            ApplicationContextRunner runner, String[] properties, String property, String value, String accepted) {
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            Throwable failure = context.getStartupFailure();
            assertThat(find(failure))
                    .as("the configuration error in %s", failure)
                    .isNotNull();
            assertThat(failure.getMessage() + rootMessage(failure)).contains(property);
            FailureAnalysis analysis = new ParforFailureAnalyzer(null).analyze(failure);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains("'" + property + "'").contains("'" + value + "'");
            assertThat(analysis.getAction()).contains(property).contains(accepted);
        });
    }

    private static @org.jspecify.annotations.Nullable InvalidParforPropertyException find(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InvalidParforPropertyException found) {
                return found;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static Set<String> threadsOf(ParallelFor parfor, String engine) {
        return parfor
                .loop("threads-" + engine)
                .engine(engine)
                .chunkSize(1)
                .map(range(32), x -> Thread.currentThread().getName())
                .stream()
                .collect(Collectors.toSet());
    }

    /** An application's LoopListener bean (the configuration itself): it joins the ParallelFor bean and sees each chunk's size. */
    @Configuration(proxyBeanMethods = false)
    static class ChunkRecorder implements dev.parfor.LoopListener {

        private final java.util.Map<String, List<Integer>> sizes = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void tasksEnded(dev.parfor.LoopInfo loop, dev.parfor.Outcome outcome, int count, long nanos) {
            sizes.computeIfAbsent(loop.name(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(count);
        }

        List<Integer> sizes(String loop) {
            return sizes.getOrDefault(loop, List.of());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UnrelatedIoBean {

        @Bean(destroyMethod = "close")
        java.net.http.HttpClient io() {
            return java.net.http.HttpClient.newHttpClient();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PrefixedEngine {

        @Bean(name = "parfor.engines.io")
        Engine prefixedIo() {
            return Engines.sequential();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Customizer {

        @Bean
        ParallelForBuilderCustomizer fromCode() {
            return builder -> builder.engine("from-code", Engines.forkJoin(1))
                    .loop("customized", loop -> loop.engine("from-code"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnParallelFor {

        @Bean
        ParallelFor ownParallelFor() {
            return ParallelFor.create(Engines.sequential());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEngines {

        final Engine forkJoin = Engines.forkJoin(2);

        @Bean
        Engine gpu() {
            return Engines.forkJoin(2);
        }

        @Bean(name = "fork-join")
        Engine ownForkJoin() {
            return forkJoin;
        }
    }
}
