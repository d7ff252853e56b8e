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

    /** Creates the properties with their defaults. */
    public ParforDashboardProperties() {}

    /**
     * Whether the page is served.
     *
     * @return {@code true} when enabled
     */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Sets whether the page is served.
     *
     * @param enabled {@code true} to serve it
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }
}
