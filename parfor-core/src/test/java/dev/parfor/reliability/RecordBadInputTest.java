package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parfor.TaskFailure;
import org.junit.jupiter.api.Test;

/** The public records of the API refuse a null component with the same message as every other check. */
class RecordBadInputTest {

    @Test
    void shouldNameTheParameterWhenATaskFailureHasNoError() {
        assertThatThrownBy(() -> new TaskFailure(0, 1, null, 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("'error' must not be null");
    }
}
