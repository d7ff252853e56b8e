package dev.parfor.autoconfigure.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.Engines;
import dev.parfor.ParallelFor;
import dev.parfor.autoconfigure.ParforAutoConfiguration;
import dev.parfor.hazelcast.HazelcastEngine;
import dev.parfor.hazelcast.ParforHazelcast;
import dev.parfor.spi.Engine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.hazelcast.autoconfigure.HazelcastAutoConfiguration;
import org.springframework.boot.hazelcast.autoconfigure.health.HazelcastHealthContributorAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Hazelcast auto-configuration. Every member it starts is on loopback, in a cluster of its own name on a free
 * port, and is stopped with its context.
 */
class ParforHazelcastAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(HazelcastAutoConfiguration.class, ParforHazelcastAutoConfiguration.class))
            .withPropertyValues(
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
    void shouldRegisterNoEngineWhenTheEmbeddedMemberIsDisabledAndThereIsNoInstance() {
        runner.withPropertyValues("parfor.hazelcast.embedded.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(HazelcastInstance.class);
            assertThat(context).doesNotHaveBean("hazelcast");
        });
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
    void shouldFailAtStartUpNamingABadPropertyAndItsValue() {
        runner.withPropertyValues("parfor.hazelcast.embedded.port=70000")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessage("'parfor.hazelcast.embedded.port' must be between 1 and 65535 but was 70000"));
        runner.withPropertyValues("parfor.engines.hazelcast.max-attempts=0")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessage("'parfor.engines.hazelcast.max-attempts' must be greater than 0 but was 0"));
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
