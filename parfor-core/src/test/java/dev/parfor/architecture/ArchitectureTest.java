package dev.parfor.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Pins parfor-core's public API and keeps it free of Spring, Micrometer and Hazelcast. */
class ArchitectureTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.parfor");

    /** Adding a public type is a decision: add it here in the same change, with a reason in the review. */
    private static final Set<String> PUBLIC_API = Set.of(
            "dev.parfor.Body",
            "dev.parfor.Body$Action",
            "dev.parfor.Body$Chunked",
            "dev.parfor.Body$Indexed",
            "dev.parfor.Body$Pair",
            "dev.parfor.Body$WithContext",
            "dev.parfor.Chunk",
            "dev.parfor.Chunk$Outcome",
            "dev.parfor.Chunk$Task",
            "dev.parfor.ContextPropagator",
            "dev.parfor.ContextPropagator$Captured",
            "dev.parfor.ContextPropagator$Scope",
            "dev.parfor.Engine",
            "dev.parfor.Engines",
            "dev.parfor.ErrorPolicy",
            "dev.parfor.Loop",
            "dev.parfor.LoopInfo",
            "dev.parfor.LoopListener",
            "dev.parfor.LoopOptions",
            "dev.parfor.LoopOutcome",
            "dev.parfor.LoopResult",
            "dev.parfor.ParallelFor",
            "dev.parfor.ParallelFor$Builder",
            "dev.parfor.ParallelForException",
            "dev.parfor.Progress",
            "dev.parfor.ProgressListener",
            "dev.parfor.TaskFailure",
            "dev.parfor.TaskOutcome");

    @Test
    void shouldLimitThePublicApiOfTheMainPackage() {
        Set<String> publicTypes = new TreeSet<>();
        for (JavaClass type : CORE) {
            if (type.getPackageName().equals("dev.parfor")
                    && type.getModifiers().contains(JavaModifier.PUBLIC)
                    && !type.isAnonymousClass()) {
                publicTypes.add(type.getName());
            }
        }
        assertThat(publicTypes).containsExactlyInAnyOrderElementsOf(PUBLIC_API);
    }

    @Test
    void shouldKeepCoreFreeOfSpring() {
        noClasses()
                .that()
                .resideInAPackage("dev.parfor..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "io.micrometer..")
                .check(CORE);
    }

    @Test
    void shouldKeepCoreIndependentOfHazelcast() {
        noClasses()
                .that()
                .resideInAPackage("dev.parfor..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("com.hazelcast..")
                .check(CORE);
    }
}
