package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.Body;
import dev.parfor.ParallelFor;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unnamed loops are named after the method that runs them, even when two methods share one constant body:
 * names key metrics, options and learned chunk sizes, so two call sites must not share one.
 */
class LoopNamingTest {

    static List<EngineCase> engines() {
        return EngineCase.all();
    }

    /** A service with one body shared by two methods, as a {@code static final} constant. */
    static final class ReportService {
        static final Body<Integer, Integer> SQUARE = x -> x * x;

        static List<Integer> renderAll(ParallelFor parfor) {
            return parfor.map(IntStream.range(0, 3).boxed().toList(), SQUARE);
        }

        static List<Integer> renderOne(ParallelFor parfor) {
            return parfor.map(List.of(4), SQUARE);
        }
    }

    /** A name with case and separators dropped, so that both "Type.method" and "type-method" forms compare. */
    private static String letters(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    @ParameterizedTest
    @MethodSource("engines")
    void shouldNameUnnamedLoopsSharingOneConstantBodyAfterEachCallingMethod(EngineCase engine) {
        try (Session session = Session.on(engine)) {
            assertThat(session.run(() -> ReportService.renderAll(session.parfor())))
                    .containsExactly(0, 1, 4);
            assertThat(session.run(() -> ReportService.renderOne(session.parfor())))
                    .containsExactly(16);
            assertThat(session.run(() -> ReportService.renderAll(session.parfor())))
                    .containsExactly(0, 1, 4);
            List<String> names = session.events().startedNames();
            assertThat(names).hasSize(3);
            assertThat(letters(names.get(0))).endsWith("renderall");
            assertThat(letters(names.get(1))).endsWith("renderone");
            assertThat(names.get(2)).isEqualTo(names.get(0));
        }
    }
}
