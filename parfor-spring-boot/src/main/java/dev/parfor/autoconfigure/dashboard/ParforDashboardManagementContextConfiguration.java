package dev.parfor.autoconfigure.dashboard;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Serves the dashboard page in the context that serves the actuator (Spring MVC applications), when
 * {@code parfor.dashboard.enabled=true}.
 */
@ManagementContextConfiguration(value = ManagementContextType.ANY, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "org.springframework.web.servlet.function.RouterFunction")
@ConditionalOnBooleanProperty("parfor.dashboard.enabled")
class ParforDashboardManagementContextConfiguration {

    @Bean
    RouterFunction<ServerResponse> parforDashboardRoutes(
            WebEndpointProperties properties, ObjectProvider<WebEndpointsSupplier> endpoints) {
        return new DashboardRoutes(properties.getBasePath(), endpoints::orderedStream).routes();
    }
}
