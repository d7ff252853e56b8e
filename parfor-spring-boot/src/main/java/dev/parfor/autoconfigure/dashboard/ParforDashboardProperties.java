package dev.parfor.autoconfigure.dashboard;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Properties of the parfor dashboard page, under {@code parfor.dashboard}. */
@ConfigurationProperties("parfor.dashboard")
public class ParforDashboardProperties {

    /**
     * Whether to serve the dashboard page at '<management base path>/parfor-dashboard/' (for example
     * '/actuator/parfor-dashboard/'). It reads the 'parfor' actuator endpoint, which must be exposed.
     */
    private boolean enabled;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }
}
