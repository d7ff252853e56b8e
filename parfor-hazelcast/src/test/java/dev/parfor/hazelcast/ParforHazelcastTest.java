package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.HazelcastSerializationException;
import dev.parfor.ParallelFor;
import dev.parfor.ParallelForException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The secure member configuration: its settings, and a class outside the deserialization allow-list refused by
 * Hazelcast itself and by the engine, on the member and on the caller. {@code java.util.logging.Level} stands for any
 * class of a package nobody allowed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParforHazelcastTest {

    private static TestCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = TestCluster.start(2);
    }

    @AfterAll
    static void stopCluster() {
        cluster.closeLeavingNoMember();
    }

    @Test
    void shouldRefuseAClassOutsideTheAllowListWhenAMemberDeserializesIt() {
        IMap<String, Object> map = cluster.first().getMap("allow-list-" + cluster.name());
        map.put("allowed", List.of(1, 2, 3));
        map.put("refused", Level.WARNING);

        IMap<String, Object> seenFromTheOtherMember = cluster.members().get(1).getMap("allow-list-" + cluster.name());
        assertThat(seenFromTheOtherMember.get("allowed")).isEqualTo(List.of(1, 2, 3));
        assertThatThrownBy(() -> seenFromTheOtherMember.get("refused"))
                .isInstanceOf(HazelcastSerializationException.class)
                .hasStackTraceContaining("java.util.logging.Level")
                .hasStackTraceContaining("not allowed");
    }

    @Test
    void shouldFailALoopWhoseInputsAMemberRefusesToDeserialize() {
        try (ParallelFor parfor = ParallelFor.create(HazelcastEngine.create(cluster.first()))) {
            ParallelForException error = catchThrowableOfType(
                    ParallelForException.class,
                    () -> parfor.loop("refused-input").map(List.of(Level.WARNING), level -> level.intValue()));

            assertThat(error.getCause())
                    .hasMessageContaining("could not be deserialized")
                    .hasMessageContaining("java.util.logging.Level")
                    .hasMessageContaining("parfor.hazelcast.allowed-packages");
        }
    }

    @Test
    void shouldFailALoopWhoseResultsTheCallerRefusesToDeserialize() {
        try (ParallelFor parfor = ParallelFor.create(HazelcastEngine.create(cluster.first()))) {
            ParallelForException error = catchThrowableOfType(
                    ParallelForException.class,
                    () -> parfor.loop("refused-result").map(List.of(1), x -> Level.WARNING));

            assertThat(error.getCause())
                    .hasMessageContaining("result of input #0")
                    .hasMessageContaining("could not be deserialized")
                    .hasMessageContaining("java.util.logging.Level")
                    .hasMessageContaining("allow-list");
        }
    }

    @Test
    void shouldAllowParforJavaBasicsLambdasAndTheNamedPackagesWithTheirSubPackagesOnly() {
        Wire wire = new Wire(ParforHazelcast.serializationFilter(List.of("com.example.orders")), null);

        assertThat(List.of(
                        "dev.parfor.Chunk$Outcome",
                        "java.util.ArrayList",
                        "java.lang.Integer",
                        "java.time.Ser",
                        "java.lang.invoke.SerializedLambda",
                        "[Ljava.lang.Object;",
                        "com.example.orders.Order",
                        "com.example.orders.model.Line"))
                .allSatisfy(name -> assertThat(wire.allows(name)).as(name).isTrue());
        assertThat(List.of(
                        "com.example.Other",
                        "com.example.ordersx.Order",
                        "java.util.logging.Level",
                        "java.net.URL",
                        "java.net.InetAddress",
                        "java.rmi.server.UnicastRef",
                        "javax.management.BadAttributeValueExpException",
                        "org.apache.commons.collections.functors.InvokerTransformer"))
                .allSatisfy(name -> assertThat(wire.allows(name)).as(name).isFalse());
    }

    /** Serialized on its own by the next test, then renamed in the bytes to a class no class loader has. */
    record Qz1(int value) implements java.io.Serializable {}

    @Test
    void shouldNameTheMemberThatLacksAClass() throws Exception {
        byte[] bytes = Wire.write(new Qz1(7));
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        byte[] renamed = text.replace("Qz1", "Qz2").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Wire wire = new Wire(null, null, "Hazelcast member 127.0.0.1:5701 (f00d)");

        assertThat(wire.read(bytes)).isEqualTo(new Qz1(7));
        assertThatThrownBy(() -> wire.read(renamed))
                .isInstanceOf(ClassNotFoundException.class)
                .hasMessageContaining("ParforHazelcastTest$Qz2")
                .hasMessageContaining("is not on the class path of Hazelcast member 127.0.0.1:5701 (f00d)")
                .hasMessageContaining("same application on every member");
    }

    @Test
    void shouldApplyHazelcastsOwnRulesToAConfigurationParforDidNotBuild() {
        JavaSerializationFilterConfig defaults = new JavaSerializationFilterConfig();
        defaults.getBlacklist().addClasses("java.util.HashMap");
        Wire wire = new Wire(defaults, null);

        assertThat(wire.allows("java.util.ArrayList")).isTrue();
        assertThat(wire.allows("java.util.HashMap")).isFalse();
        assertThat(wire.allows("com.example.Order")).isFalse();
        assertThat(new Wire(null, null).allows("com.example.Order")).isTrue();
    }

    @Test
    void shouldBuildAConfigurationThatIsSecureByDefault() {
        Config config = ParforHazelcast.secureConfig("orders", 5801, List.of("127.0.0.1", "127.0.0.1:5802"), List.of());

        assertThat(config.getClusterName()).isEqualTo("orders");
        assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
        assertThat(config.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
        assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
        assertThat(config.getNetworkConfig().isPortAutoIncrement()).isTrue();
        assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
        assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
        JoinConfig join = config.getNetworkConfig().getJoin();
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
        assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
        assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1", "127.0.0.1:5802");
        JavaSerializationFilterConfig filter = config.getSerializationConfig().getJavaSerializationFilterConfig();
        assertThat(filter.isDefaultsDisabled()).isTrue();
        assertThat(filter.getWhitelist().getPrefixes()).contains("dev.parfor.");
    }

    @Test
    void shouldRejectBadConfigurationValuesNamingTheParameter() {
        assertThatThrownBy(() -> ParforHazelcast.secureConfig(" ", 5701, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'clusterName' must not be blank but was ' '");
        assertThatThrownBy(() -> ParforHazelcast.secureConfig("parfor", 70_000, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'port' must be between 1 and 65535 but was 70000");
        assertThatThrownBy(() -> ParforHazelcast.secureConfig("parfor", 5701, List.of(""), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'members[]' must not be blank but was ''");
        assertThatThrownBy(() -> ParforHazelcast.serializationFilter(List.of("com.example", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'allowedPackages[]' must not be blank but was ' '");
    }
}
