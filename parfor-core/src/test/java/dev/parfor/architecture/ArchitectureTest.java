package dev.parfor.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.parfor.ParallelFor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Pins parfor-core's public API, method by method, and keeps core free of Spring, Micrometer and Hazelcast.
 *
 * <p>The listing {@code src/test/resources/api/parfor-core.txt} holds every public and protected type, constructor,
 * method and field of the exported packages. Adding or removing one is a decision: regenerate the listing with
 * {@code ./mvnw -pl parfor-core test -Dtest=ArchitectureTest -Dparfor.api.write=true} in the same change, so that the
 * review shows the API diff.
 */
class ArchitectureTest {

    private static final List<String> EXPORTED = List.of("dev.parfor", "dev.parfor.spi");
    private static final Path LISTING = Path.of("src", "test", "resources", "api", "parfor-core.txt");

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.parfor");

    @Test
    void shouldMatchThePinnedApiListing() throws Exception {
        List<String> actual = listing();
        if (Boolean.getBoolean("parfor.api.write")) {
            Files.createDirectories(LISTING.getParent());
            Files.write(LISTING, actual, StandardCharsets.UTF_8);
            return;
        }
        List<String> pinned;
        try (InputStream in = ArchitectureTest.class.getResourceAsStream("/api/parfor-core.txt")) {
            assertThat(in).as("the API listing api/parfor-core.txt").isNotNull();
            pinned = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        }
        TreeSet<String> added = new TreeSet<>(actual);
        pinned.forEach(added::remove);
        TreeSet<String> removed = new TreeSet<>(pinned);
        actual.forEach(removed::remove);
        assertThat(added)
                .as("public API added without updating api/parfor-core.txt (rerun with -Dparfor.api.write=true)")
                .isEmpty();
        assertThat(removed)
                .as("public API removed without updating api/parfor-core.txt (rerun with -Dparfor.api.write=true)")
                .isEmpty();
    }

    @Test
    void shouldExportOnlyTheUserApiAndTheEngineSpi() {
        // Tests run on the class path, where the descriptor is not in force: read it from parfor-core's own classes.
        java.lang.module.ModuleDescriptor descriptor = readDescriptor();
        assertThat(descriptor.name()).isEqualTo("dev.parfor");
        assertThat(descriptor.exports())
                .extracting(java.lang.module.ModuleDescriptor.Exports::source)
                .containsExactlyInAnyOrderElementsOf(EXPORTED);
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

    private static java.lang.module.ModuleDescriptor readDescriptor() {
        try {
            Path root = Path.of(ParallelFor.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isRegularFile(root)) {
                try (FileSystem jar = FileSystems.newFileSystem(root, Map.of());
                        InputStream in = Files.newInputStream(jar.getPath("/module-info.class"))) {
                    return java.lang.module.ModuleDescriptor.read(in);
                }
            }
            try (InputStream in = Files.newInputStream(root.resolve("module-info.class"))) {
                return java.lang.module.ModuleDescriptor.read(in);
            }
        } catch (IOException | java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** One line per public type and member of the exported packages, sorted. */
    static List<String> listing() throws Exception {
        TreeSet<String> lines = new TreeSet<>();
        for (Class<?> type : exportedTypes()) {
            lines.add(kind(type) + " " + type.getName());
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (visible(c.getModifiers()) && !type.isEnum() && !type.isRecord()) {
                    lines.add(type.getName() + " " + signature(c));
                }
            }
            for (Method m : type.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                    lines.add(type.getName() + " " + signature(m));
                }
            }
            for (Field f : type.getDeclaredFields()) {
                if (visible(f.getModifiers()) && !f.isSynthetic()) {
                    lines.add(type.getName() + " field " + f.getGenericType().getTypeName() + " " + f.getName());
                }
            }
        }
        return new ArrayList<>(lines);
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String kind(Class<?> type) {
        if (type.isAnnotation()) {
            return "@interface";
        }
        if (type.isInterface()) {
            return "interface";
        }
        if (type.isEnum()) {
            return "enum";
        }
        if (type.isRecord()) {
            return "record";
        }
        return "class";
    }

    private static String signature(Executable e) {
        String text = e.toGenericString();
        // Drop modifiers that do not change what callers can do.
        return text.replace("public ", "").replace("default ", "").replace("abstract ", "");
    }

    private static List<Class<?>> exportedTypes() throws Exception {
        List<Class<?>> types = new ArrayList<>();
        URI location = ParallelFor.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI();
        Path root = Path.of(location);
        FileSystem jar = null;
        if (Files.isRegularFile(root)) {
            jar = FileSystems.newFileSystem(root, Map.of());
            root = jar.getPath("/");
        }
        try {
            for (String pkg : EXPORTED) {
                Path dir = root.resolve(pkg.replace('.', '/'));
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.sorted().toList()) {
                        String name = file.getFileName().toString();
                        if (!name.endsWith(".class") || name.equals("package-info.class")) {
                            continue;
                        }
                        Class<?> type = Class.forName(pkg + "." + name.substring(0, name.length() - 6));
                        if (isVisibleType(type)) {
                            types.add(type);
                        }
                    }
                }
            }
        } finally {
            if (jar != null) {
                jar.close();
            }
        }
        return types;
    }

    private static boolean isVisibleType(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass()) {
                return false;
            }
        }
        return true;
    }
}
