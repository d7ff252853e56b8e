/**
 * The parfor dashboard: an opt-in page ({@code parfor.dashboard.enabled=true}) served under the management base path,
 * at {@code <management.endpoints.web.base-path>/parfor-dashboard/}, that reads the actuator endpoint {@code parfor}:
 * running loops with progress, rate, ETA and a throughput sparkline, recently finished loops, failures, engines with
 * their load, and a cancel button where the endpoint's write operation is available. Plain HTML, CSS and JavaScript
 * from the jar: no build step, nothing fetched from elsewhere.
 */
@org.jspecify.annotations.NullMarked
package dev.parfor.autoconfigure.dashboard;
