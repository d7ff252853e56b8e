package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Hazelcast entry points refuse a bad argument before anything starts, naming the parameter and the value. */
class HazelcastBadInputTest {

    @Test
    void shouldRefuseANullInstance() {
        assertThatThrownBy(() -> HazelcastEngine.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("'instance' must not be null");
        assertThatThrownBy(() -> HazelcastEngine.create(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("'instance' must not be null");
    }

    @Test
    void shouldRefuseABadSecureConfig() {
        assertThatThrownBy(() -> ParforHazelcast.secureConfig("c", 0, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'port' must be between 1 and 65535 but was 0");
        assertThatThrownBy(() -> ParforHazelcast.secureConfig(" ", 5701, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'clusterName'")
                .hasMessageContaining("' '");
        assertThatThrownBy(() -> ParforHazelcast.secureConfig("c", 5701, null, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("'members' must not be null");
    }
}
