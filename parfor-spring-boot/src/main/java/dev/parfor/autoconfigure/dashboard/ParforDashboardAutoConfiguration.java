package dev.parfor.autoconfigure.dashboard;

import dev.parfor.autoconfigure.actuate.ParforActuatorAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * Binds {@code parfor.dashboard.*}. The page itself is served by {@link ParforDashboardManagementContextConfiguration},
 * which Spring Boot loads into the context that serves the actuator: the application's own, or the management
 * server's when {@code management.server.port} differs.
 */
@AutoConfiguration(after = ParforActuatorAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@EnableConfigurationProperties(ParforDashboardProperties.class)
public final class ParforDashboardAutoConfiguration {

    ParforDashboardAutoConfiguration() {}
}
