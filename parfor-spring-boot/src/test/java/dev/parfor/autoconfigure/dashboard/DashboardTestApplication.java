package dev.parfor.autoconfigure.dashboard;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** A web application with the starter and the actuator, and nothing of its own: the tests start loops themselves. */
@SpringBootConfiguration
@EnableAutoConfiguration
class DashboardTestApplication {}
