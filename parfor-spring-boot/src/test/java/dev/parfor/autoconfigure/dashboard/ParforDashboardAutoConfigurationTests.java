package dev.parfor.autoconfigure.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.autoconfigure.ParforAutoConfiguration;
import dev.parfor.autoconfigure.actuate.ParforActuatorAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

class ParforDashboardAutoConfigurationTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    EndpointAutoConfiguration.class,
                    WebEndpointAutoConfiguration.class,
                    ManagementContextAutoConfiguration.class,
                    ParforAutoConfiguration.class,
                    ParforActuatorAutoConfiguration.class,
                    ParforDashboardAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=parfor");

    @Test
    void shouldNotServeTheDashboardByDefault() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(ParforDashboardProperties.class);
            assertThat(context.getBean(ParforDashboardProperties.class).isEnabled())
                    .isFalse();
            assertThat(context).doesNotHaveBean("parforDashboardRoutes");
        });
    }

    @Test
    void shouldServeTheDashboardWhenEnabled() {
        runner.withPropertyValues("parfor.dashboard.enabled=true").run(context -> {
            assertThat(context.getBean(ParforDashboardProperties.class).isEnabled())
                    .isTrue();
            assertThat(context).hasBean("parforDashboardRoutes");
        });
    }

    @Test
    void shouldNotServeTheDashboardWithoutSpringMvc() {
        runner.withPropertyValues("parfor.dashboard.enabled=true")
                .withClassLoader(new FilteredClassLoader("org.springframework.web.servlet.function"))
                .run(context -> assertThat(context).doesNotHaveBean("parforDashboardRoutes"));
    }

    @Test
    void shouldNotServeTheDashboardOutsideAWebApplication() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        EndpointAutoConfiguration.class,
                        ParforAutoConfiguration.class,
                        ParforActuatorAutoConfiguration.class,
                        ParforDashboardAutoConfiguration.class))
                .withPropertyValues("parfor.dashboard.enabled=true")
                .run(context -> assertThat(context).doesNotHaveBean("parforDashboardRoutes"));
    }

    @Test
    void shouldRefuseAnEnabledValueThatIsNeitherTrueNorFalse() {
        runner.withPropertyValues("parfor.dashboard.enabled=sometimes").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sometimes");
        });
    }
}
