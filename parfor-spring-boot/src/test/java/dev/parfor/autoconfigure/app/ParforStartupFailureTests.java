package dev.parfor.autoconfigure.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A bad parfor property stops a real application's start-up with Spring Boot's failure report. */
@ExtendWith(OutputCaptureExtension.class)
class ParforStartupFailureTests {

    @Test
    void shouldExplainAnUnknownEngineTypeWithTheFileAndLineInTheStartupFailureReport(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(ParforTestApplication.class)
                        .web(WebApplicationType.NONE)
                        .run("--spring.config.location=classpath:/parfor-bad-type.properties"))
                .hasStackTraceContaining(
                        "Invalid parfor configuration: property 'parfor.engines.gpu.type' has the value 'cuda'");
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .containsPattern("The parfor property 'parfor.engines.gpu.type' has the value 'cuda' \\(class path"
                        + " resource \\[parfor-bad-type.properties\\] - 2:\\d+\\), which cannot be used: it is not an"
                        + " engine type.")
                .contains("Set 'parfor.engines.gpu.type' to one of: sequential, fork-join, virtual, executor,"
                        + " hazelcast.")
                .doesNotContain("Failed to bind properties under");
    }

    @Test
    void shouldShowADurationAsWrittenWithItsFileAndLine(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(ParforTestApplication.class)
                        .web(WebApplicationType.NONE)
                        .run("--spring.config.location=classpath:/parfor-bad-backoff.properties"))
                .hasStackTraceContaining("property 'parfor.loops.report.backoff' has the value '100ms'");
        assertThat(output)
                .containsPattern("The parfor property 'parfor.loops.report.backoff' has the value '100ms' \\(class"
                        + " path resource \\[parfor-bad-backoff.properties\\] - 3:\\d+\\), which cannot be used: a"
                        + " backoff needs a number of retries.")
                .doesNotContain("PT0.1S");
    }

    @Test
    void shouldExplainALoopRoutedToAnUnknownEngineInTheStartupFailureReport(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(ParforTestApplication.class)
                        .web(WebApplicationType.NONE)
                        .properties("parfor.loops.report.engine=gpu", "parfor.hazelcast.embedded.enabled=false")
                        .run())
                .hasStackTraceContaining(
                        "Invalid parfor configuration: property 'parfor.loops.report.engine' has the value 'gpu'");
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("The parfor property 'parfor.loops.report.engine' has the value 'gpu'")
                .contains("Set 'parfor.loops.report.engine' to one of the engines:");
    }
}
