package dev.parfor.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Pins the public types of the Hazelcast engine's package: adding one is a decision, made here. */
class HazelcastApiTest {

    @Test
    void shouldLimitThePublicApiOfTheHazelcastPackage() {
        Set<String> publicTypes = new TreeSet<>();
        for (JavaClass type : new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.parfor.hazelcast")) {
            if (type.getModifiers().contains(JavaModifier.PUBLIC) && !type.isAnonymousClass()) {
                publicTypes.add(type.getName());
            }
        }

        assertThat(publicTypes)
                .containsExactly(
                        "dev.parfor.hazelcast.HazelcastEngine",
                        "dev.parfor.hazelcast.HazelcastEngine$Builder",
                        "dev.parfor.hazelcast.ParforHazelcast",
                        "dev.parfor.hazelcast.RemoteTaskException");
    }
}
