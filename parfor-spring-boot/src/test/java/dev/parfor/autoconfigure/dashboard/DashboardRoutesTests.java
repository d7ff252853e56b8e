package dev.parfor.autoconfigure.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DashboardRoutesTests {

    @Test
    void shouldTellThePageWhenTheEndpointIsNotExposed() {
        DashboardRoutes routes = new DashboardRoutes("/actuator", Stream::empty);
        assertThat(routes.config()).isEqualTo("{\"endpoint\":\"../parfor\",\"exposed\":false,\"cancel\":false}");
    }
}
