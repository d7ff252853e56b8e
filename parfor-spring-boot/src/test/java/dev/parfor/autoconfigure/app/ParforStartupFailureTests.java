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
    void shouldExplainAnUnknownEngineTypeInTheStartupFailureReport(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(ParforTestApplication.class)
                        .web(WebApplicationType.NONE)
                        .properties("parfor.engines.gpu.type=cuda", "parfor.hazelcast.embedded.enabled=false")
                        .run())
                .hasStackTraceContaining(
                        "Invalid parfor configuration: property 'parfor.engines.gpu.type' has the value"
                                + " 'cuda': it is not an engine type. Set 'parfor.engines.gpu.type' to one of: sequential,"
                                + " fork-join, virtual, executor, hazelcast.");
        assertThat(output)
                .contains("APPLICATION FAILED TO START")
                .contains("The parfor property 'parfor.engines.gpu.type' has the value 'cuda', which cannot be used:"
                        + " it is not an engine type.")
                .contains("Set 'parfor.engines.gpu.type' to one of: sequential, fork-join, virtual, executor,"
                        + " hazelcast.");
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
