package dev.parfor.autoconfigure.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * With a management port of its own, the actuator runs in a child context on that port: the dashboard is served
 * there, under the management base path, and not on the application's port.
 */
@SpringBootTest(
        classes = DashboardTestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            "management.server.port=0",
            "management.server.address=127.0.0.1",
            "management.endpoints.web.base-path=/manage",
            "management.endpoints.web.exposure.include=parfor",
            "parfor.dashboard.enabled=true",
            "parfor.hazelcast.embedded.enabled=false"
        })
class DashboardManagementPortHttpTests {

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Test
    void shouldServeTheDashboardOnTheManagementPortUnderItsBasePath() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        try (Http management = new Http(managementPort);
                Http application = new Http(port)) {
            assertThat(management.get("/manage/parfor-dashboard/").statusCode()).isEqualTo(200);
            assertThat(management.get("/manage/parfor-dashboard/dashboard.js").statusCode())
                    .isEqualTo(200);
            assertThat(JsonPath.parse(management
                                    .get("/manage/parfor-dashboard/config")
                                    .body())
                            .<Map<String, Object>>read("$"))
                    .containsEntry("endpoint", "../parfor")
                    .containsEntry("exposed", true)
                    .as("the endpoint's default access is read-only")
                    .containsEntry("cancel", false);
            assertThat(management.get("/manage/parfor").statusCode()).isEqualTo(200);
            assertThat(application.get("/manage/parfor-dashboard/").statusCode())
                    .isEqualTo(404);
        }
    }
}
