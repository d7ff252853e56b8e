package dev.parfor.autoconfigure.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import dev.parfor.autoconfigure.InvalidParforPropertyException;
import dev.parfor.autoconfigure.ParforAutoConfiguration;
import dev.parfor.autoconfigure.ParforProperties;
import dev.parfor.hazelcast.HazelcastEngine;
import dev.parfor.hazelcast.ParforHazelcast;
import dev.parfor.spi.Engine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hazelcast.autoconfigure.HazelcastAutoConfiguration;
import org.springframework.boot.hazelcast.autoconfigure.health.HazelcastHealthContributorAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;

/**
 * The Hazelcast auto-configuration. Every member it starts is on loopback, in a cluster of its own name on a free
 * port, and is stopped with its context.
 */
class ParforHazelcastAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(HazelcastAutoConfiguration.class, ParforHazelcastAutoConfiguration.class))
            .withPropertyValues(
                    "parfor.hazelcast.embedded.enabled=true",
                    "parfor.hazelcast.embedded.cluster-name=" + uniqueName(),
                    "parfor.hazelcast.embedded.port=" + freePort());

    @AfterEach
    void noMemberLeftRunning() {
        assertThat(Hazelcast.getAllHazelcastInstances())
                .as("members left running")
                .isEmpty();
    }

    @Test
    void shouldStartASecureEmbeddedMemberAndRegisterTheHazelcastEngine() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(HazelcastInstance.class);
            assertThat(context).hasBean("hazelcast");
            assertThat(context.getBean("hazelcast")).isInstanceOf(HazelcastEngine.class);
            HazelcastInstance member = context.getBean(HazelcastInstance.class);
            Config config = member.getConfig();
            assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
            assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled())
                    .isFalse();
            assertThat(config.getNetworkConfig().getInterfaces().getInterfaces())
                    .containsExactly("127.0.0.1");
            assertThat(member.getCluster().getLocalMember().getAddress().getHost())
                    .isEqualTo("127.0.0.1");
            HazelcastEngine engine = context.getBean(HazelcastEngine.class);
            assertThat(engine.executorName()).isEqualTo(HazelcastEngine.DEFAULT_EXECUTOR_NAME);
            assertThat(engine.maxAttempts()).isEqualTo(HazelcastEngine.DEFAULT_MAX_ATTEMPTS);
            assertThat(engine.placement()).isEqualTo(dev.parfor.spi.Placement.REMOTE);
        });
    }

    @Test
    void shouldLetSpringBootsHazelcastHealthContributorCoverTheEmbeddedMember() {
        runner.withConfiguration(AutoConfigurations.of(HazelcastHealthContributorAutoConfiguration.class))
                .run(context -> assertThat(context).hasBean("hazelcastHealthContributor"));
    }

    @Test
    void shouldBindTheEmbeddedMemberAndEngineProperties() {
        String clusterName = uniqueName();
        int port = freePort();
        runner.withPropertyValues(
                        "parfor.hazelcast.embedded.cluster-name=" + clusterName,
                        "parfor.hazelcast.embedded.port=" + port,
                        "parfor.hazelcast.embedded.members=127.0.0.1:" + port,
                        "parfor.hazelcast.allowed-packages=com.example.orders",
                        "parfor.engines.hazelcast.executor-name=reports",
                        "parfor.engines.hazelcast.pool-size=3",
                        "parfor.engines.hazelcast.max-attempts=7")
                .run(context -> {
                    HazelcastInstance member = context.getBean(HazelcastInstance.class);
                    assertThat(member.getConfig().getClusterName()).isEqualTo(clusterName);
                    assertThat(member.getCluster().getLocalMember().getAddress().getPort())
                            .isEqualTo(port);
                    assertThat(member.getConfig()
                                    .getNetworkConfig()
                                    .getJoin()
                                    .getTcpIpConfig()
                                    .getMembers())
                            .containsExactly("127.0.0.1:" + port);
                    assertThat(member.getConfig()
                                    .getSerializationConfig()
                                    .getJavaSerializationFilterConfig()
                                    .getWhitelist()
                                    .getPackages())
                            .contains("com.example.orders");
                    HazelcastEngine engine = context.getBean(HazelcastEngine.class);
                    assertThat(engine.executorName()).isEqualTo("reports");
                    assertThat(engine.maxAttempts()).isEqualTo(7);
                    assertThat(member.getConfig().findExecutorConfig("reports").getPoolSize())
                            .isEqualTo(3);
                });
    }

    @Test
    void shouldUseTheApplicationsHazelcastInstanceInsteadOfStartingOne() {
        runner.withUserConfiguration(UserInstanceConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(HazelcastInstance.class);
            assertThat(context).hasBean("userInstance").doesNotHaveBean("parforHazelcastInstance");
            assertThat(context.getBean(HazelcastEngine.class).instance()).isSameAs(context.getBean("userInstance"));
        });
    }

    @Test
    void shouldUseTheInstanceSpringBootCreatesFromAConfigBean() {
        runner.withUserConfiguration(UserConfigConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(HazelcastInstance.class).doesNotHaveBean("parforHazelcastInstance");
            assertThat(context.getBean(HazelcastEngine.class)
                            .instance()
                            .getConfig()
                            .getClusterName())
                    .isEqualTo(context.getBean(Config.class).getClusterName());
        });
    }

    @Test
    void shouldStartNoMemberUnlessTheEmbeddedMemberIsEnabled() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(HazelcastAutoConfiguration.class, ParforHazelcastAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(HazelcastInstance.class);
                    assertThat(context).doesNotHaveBean("hazelcast");
                });
        runner.withPropertyValues("parfor.hazelcast.embedded.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(HazelcastInstance.class);
            assertThat(context).doesNotHaveBean("hazelcast");
        });
    }

    @Test
    void shouldNameTheClusterAfterTheApplicationByDefault() {
        String application = uniqueName();
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(HazelcastAutoConfiguration.class, ParforHazelcastAutoConfiguration.class))
                .withPropertyValues(
                        "parfor.hazelcast.embedded.enabled=true",
                        "parfor.hazelcast.embedded.port=" + freePort(),
                        "spring.application.name=" + application)
                .run(context -> assertThat(context.getBean(HazelcastInstance.class)
                                .getConfig()
                                .getClusterName())
                        .isEqualTo(application));
    }

    @Test
    void shouldAskForAClusterNameWhenThereIsNoApplicationName() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(HazelcastAutoConfiguration.class, ParforHazelcastAutoConfiguration.class))
                .withPropertyValues("parfor.hazelcast.embedded.enabled=true")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidParforPropertyException.class)
                        .hasMessageContaining("parfor.hazelcast.embedded.cluster-name")
                        .hasMessageContaining("Set 'spring.application.name' or"));
    }

    @Test
    void shouldTurnHazelcastsShutdownHookOffOnEveryMemberSpringStarts() {
        runner.run(context -> assertThat(context.getBean(HazelcastInstance.class)
                        .getConfig()
                        .getProperty("hazelcast.shutdownhook.enabled"))
                .isEqualTo("false"));
        // A member Spring Boot starts from a configuration file. (From a Config bean, Spring Boot applies no
        // customizer: the application sets the property on its own Config, as the README says.)
        runner.withPropertyValues(
                        "spring.hazelcast.config=classpath:dev/parfor/autoconfigure/hazelcast/loopback-hazelcast.yaml")
                .run(context -> {
                    assertThat(context).doesNotHaveBean("parforHazelcastInstance");
                    assertThat(context.getBean(HazelcastInstance.class)
                                    .getConfig()
                                    .getProperty("hazelcast.shutdownhook.enabled"))
                            .isEqualTo("false");
                });
    }

    @Test
    void shouldLetARunningClusterLoopFinishWhenTheContextCloses() {
        runner.withConfiguration(AutoConfigurations.of(ParforAutoConfiguration.class))
                .withPropertyValues("parfor.shutdown.await-termination-period=30s")
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    started = new CountDownLatch(1);
                    CompletableFuture<List<Integer>> loop = CompletableFuture.supplyAsync(() -> parfor.loop("draining")
                            .engine("hazelcast")
                            .chunkSize(1)
                            .map(range(20), x -> {
                                started.countDown();
                                Thread.sleep(25);
                                return x;
                            }));
                    assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

                    context.close();

                    assertThat(loop.get(30, TimeUnit.SECONDS)).isEqualTo(range(20));
                });
    }

    @Test
    void shouldBuildAKubernetesDiscoveryConfigurationFromProperties() {
        ParforProperties dns = new ParforProperties();
        dns.getHazelcast().getEmbedded().setClusterName("orders");
        dns.getHazelcast().getEmbedded().getKubernetes().setEnabled(true);
        dns.getHazelcast().getEmbedded().getKubernetes().setServiceDns("orders-hazelcast.shop.svc.cluster.local");
        Config byDns =
                EmbeddedMemberConfiguration.config(dns, new DefaultListableBeanFactory(), new StandardEnvironment());

        JoinConfig join = byDns.getNetworkConfig().getJoin();
        assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
        assertThat(join.getKubernetesConfig().getProperties())
                .containsExactly(entry("service-dns", "orders-hazelcast.shop.svc.cluster.local"));
        assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
        assertThat(byDns.getNetworkConfig().getInterfaces().isEnabled()).isFalse();
        assertThat(byDns.getClusterName()).isEqualTo("orders");
        assertThat(byDns.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
        assertThat(byDns.getSerializationConfig()
                        .getJavaSerializationFilterConfig()
                        .isDefaultsDisabled())
                .isTrue();

        ParforProperties api = new ParforProperties();
        api.getHazelcast().getEmbedded().setClusterName("orders");
        api.getHazelcast().getEmbedded().getKubernetes().setEnabled(true);
        api.getHazelcast().getEmbedded().getKubernetes().setServiceName("orders-hazelcast");
        api.getHazelcast().getEmbedded().getKubernetes().setNamespace("shop");
        api.getHazelcast().getEmbedded().getKubernetes().setServicePort(5701);
        Config byApi =
                EmbeddedMemberConfiguration.config(api, new DefaultListableBeanFactory(), new StandardEnvironment());
        assertThat(byApi.getNetworkConfig().getJoin().getKubernetesConfig().getProperties())
                .containsOnly(
                        entry("service-name", "orders-hazelcast"),
                        entry("namespace", "shop"),
                        entry("service-port", "5701"));

        api.getHazelcast().getEmbedded().getKubernetes().setServiceDns("orders-hazelcast.shop.svc");
        assertThatThrownBy(() -> EmbeddedMemberConfiguration.config(
                        api, new DefaultListableBeanFactory(), new StandardEnvironment()))
                .isInstanceOf(InvalidParforPropertyException.class)
                .hasMessageContaining("parfor.hazelcast.embedded.kubernetes.service-name")
                .hasMessageContaining("exclude each other");
    }

    @Test
    void shouldLetTheUsersOwnHazelcastEngineBeanWin() {
        runner.withUserConfiguration(UserEngineConfiguration.class).run(context -> {
            assertThat(context).hasSingleBean(HazelcastInstance.class);
            assertThat(context.getBean("hazelcast")).isNotInstanceOf(HazelcastEngine.class);
        });
    }

    @Test
    void shouldBackOffWhenHazelcastIsNotOnTheClassPath() {
        runner.withClassLoader(new FilteredClassLoader(HazelcastInstance.class)).run(context -> {
            assertThat(context).doesNotHaveBean("parforHazelcastInstance");
            assertThat(context).doesNotHaveBean("hazelcast");
        });
    }

    @Test
    void shouldFailAtStartUpNamingABadPropertyAndItsValueForTheFailureAnalyzer() {
        runner.withPropertyValues("parfor.hazelcast.embedded.port=70000")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidParforPropertyException.class)
                        .hasMessage("Invalid parfor configuration: property 'parfor.hazelcast.embedded.port' has the"
                                + " value '70000': a port must be between 1 and 65535. Set"
                                + " 'parfor.hazelcast.embedded.port' to a port such as 5701."));
        runner.withPropertyValues("parfor.engines.hazelcast.max-attempts=0")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidParforPropertyException.class)
                        .hasMessageContaining("'parfor.engines.hazelcast.max-attempts' has the value '0'"));
        runner.withPropertyValues("parfor.hazelcast.stragglers.multiple=1")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidParforPropertyException.class)
                        .hasMessageContaining("'parfor.hazelcast.stragglers.multiple' has the value '1.0'"));
        runner.withPropertyValues("parfor.hazelcast.embedded.interface= ")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .isInstanceOf(InvalidParforPropertyException.class)
                        .hasMessageContaining("'parfor.hazelcast.embedded.interface'"));
    }

    @Test
    void shouldCountStragglerRerunsPerEngineInMicrometer() {
        runner.withPropertyValues("parfor.engines.grid.type=hazelcast").run(context -> {
            io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
            context.getBean(StragglerMeterBinder.class).bindTo(registry);

            assertThat(registry.get("parfor.hazelcast.straggler.reruns")
                            .tag("engine", "hazelcast")
                            .functionCounter()
                            .count())
                    .isZero();
            assertThat(registry.get("parfor.hazelcast.straggler.reruns")
                            .tag("engine", "grid")
                            .functionCounter())
                    .isNotNull();
        });
        runner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
                .run(context -> assertThat(context).doesNotHaveBean(StragglerMeterBinder.class));
    }

    @Test
    void shouldBindStragglerProperties() {
        runner.withPropertyValues("parfor.hazelcast.stragglers.multiple=6", "parfor.hazelcast.stragglers.minimum=5s")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    ParforProperties.Hazelcast.Stragglers stragglers = context.getBean(ParforProperties.class)
                            .getHazelcast()
                            .getStragglers();
                    assertThat(stragglers.getMultiple()).isEqualTo(6.0);
                    assertThat(stragglers.getMinimum()).hasSeconds(5);
                });
        runner.withPropertyValues("parfor.hazelcast.stragglers.enabled=false")
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void shouldMakeTheHazelcastEngineAnEngineOfTheParallelForBean() {
        runner.withConfiguration(AutoConfigurations.of(ParforAutoConfiguration.class))
                .run(context -> {
                    ParallelFor parfor = context.getBean(ParallelFor.class);
                    assertThat(parfor.engines()).containsKey("hazelcast");
                    assertThat(parfor.engines().get("hazelcast")).isSameAs(context.getBean("hazelcast"));
                    assertThat(parfor.loop("on-hazelcast").engine("hazelcast").map(List.of(1, 2, 3), x -> x * 2))
                            .containsExactly(2, 4, 6);
                    assertThat(context.getBean(HazelcastEngine.class).tasksPerMember())
                            .hasSize(1)
                            .containsValue(3L);
                });
    }

    @Test
    void shouldRegisterAnEngineForEveryEngineConfiguredWithTypeHazelcast() {
        runner.withPropertyValues(
                        "parfor.engines.grid.type=hazelcast",
                        "parfor.engines.grid.executor-name=grid",
                        "parfor.engines.grid.max-attempts=2")
                .run(context -> {
                    assertThat(context.getBeansOfType(HazelcastEngine.class)).containsOnlyKeys("hazelcast", "grid");
                    HazelcastEngine grid = context.getBean("grid", HazelcastEngine.class);
                    assertThat(grid.executorName()).isEqualTo("grid");
                    assertThat(grid.maxAttempts()).isEqualTo(2);
                    assertThat(grid.instance()).isSameAs(context.getBean(HazelcastInstance.class));
                });
    }

    @Test
    void shouldAllowTheApplicationsOwnPackageOnTheEmbeddedMember() {
        runner.withInitializer(context -> AutoConfigurationPackages.register(
                        (BeanDefinitionRegistry) context.getBeanFactory(), "com.example.app"))
                .run(context -> assertThat(context.getBean(HazelcastInstance.class)
                                .getConfig()
                                .getSerializationConfig()
                                .getJavaSerializationFilterConfig()
                                .getWhitelist()
                                .getPackages())
                        .contains("com.example.app"));
    }

    static volatile CountDownLatch started = new CountDownLatch(0);

    private static List<Integer> range(int n) {
        return java.util.stream.IntStream.range(0, n).boxed().toList();
    }

    private static String uniqueName() {
        return "parfor-test-" + UUID.randomUUID();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Config loopbackConfig() {
        int port = freePort();
        return ParforHazelcast.secureConfig(uniqueName(), port, List.of("127.0.0.1:" + port), List.of());
    }

    @Configuration(proxyBeanMethods = false)
    static class UserInstanceConfiguration {
        @Bean(destroyMethod = "shutdown")
        HazelcastInstance userInstance() {
            return Hazelcast.newHazelcastInstance(loopbackConfig());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserConfigConfiguration {
        @Bean
        Config hazelcastConfig() {
            return loopbackConfig();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UserEngineConfiguration {
        @Bean
        Engine hazelcast() {
            return Engines.sequential();
        }
    }
}
