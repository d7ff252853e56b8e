package dev.parfor.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Loops three deep on one engine of parallelism 2 (4 for virtual threads), including the executor engine over a
 * fixed pool of two threads: every level's bodies block their thread waiting for the level below, which only
 * completes because waiting workers run the inner loop's chunks. {@code @Timeout} turns a deadlock into a failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NestedLoopTest {

    private static final Figures FIGURES = new Figures("nested");

    @AfterAll
    static void writeFigures() {
        FIGURES.write();
    }

    @ParameterizedTest
    @EnumSource(Rig.Kind.class)
    void shouldCompleteLoopsNestedThreeDeepInInputOrder(Rig.Kind kind) {
        try (Rig rig = Rig.start(kind)) {
            List<Integer> six = IntStream.range(0, 6).boxed().toList();
            for (int round = 0; round < 5; round++) {
                List<List<List<Integer>>> result = rig.parfor()
                        .loop("outer")
                        .chunkSize(1)
                        .map(
                                six,
                                a -> rig.parfor()
                                        .loop("middle")
                                        .chunkSize(1)
                                        .map(
                                                six,
                                                b -> rig.parfor()
                                                        .loop("inner")
                                                        .chunkSize(1)
                                                        .map(six, c -> {
                                                            Thread.sleep(1);
                                                            return 100 * a + 10 * b + c;
                                                        })));
                for (int a = 0; a < 6; a++) {
                    for (int b = 0; b < 6; b++) {
                        int base = 100 * a + 10 * b;
                        assertThat(result.get(a).get(b))
                                .isEqualTo(IntStream.range(0, 6)
                                        .map(c -> base + c)
                                        .boxed()
                                        .toList());
                    }
                }
                FIGURES.add("loops run", 1 + 6 + 36);
                FIGURES.add("inputs", 6 + 36 + 216);
            }
        }
    }
}
