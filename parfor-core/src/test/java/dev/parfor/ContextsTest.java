package dev.parfor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The caller's context carried into workers, with every propagator call fenced. */
class ContextsTest {

    private final List<String> log = new ArrayList<>();

    private ContextPropagator propagator(String name, boolean installFails, boolean closeFails) {
        return () -> () -> {
            if (installFails) {
                throw new IllegalStateException(name + " cannot install");
            }
            log.add("install " + name);
            return () -> {
                log.add("close " + name);
                if (closeFails) {
                    throw new IllegalStateException(name + " cannot close");
                }
            };
        };
    }

    @Test
    void shouldInstallInOrderAndCloseInReverse() throws Exception {
        Contexts contexts =
                Contexts.capture("l", List.of(propagator("a", false, false), propagator("b", false, false)));

        contexts.install().close();

        assertThat(log).containsExactly("install a", "install b", "close b", "close a");
    }

    @Test
    void shouldCloseWhatWasInstalledWhenALaterInstallFails() throws Exception {
        Contexts contexts = Contexts.capture("l", List.of(propagator("a", false, false), propagator("b", true, false)));

        assertThatThrownBy(contexts::install).hasMessage("b cannot install");
        assertThat(log).containsExactly("install a", "close a");
    }

    @Test
    void shouldCloseEveryScopeEvenWhenOneFailsAndNotThrow() throws Exception {
        Contexts contexts = Contexts.capture("l", List.of(propagator("a", false, false), propagator("b", false, true)));

        contexts.install().close();

        assertThat(log).containsExactly("install a", "install b", "close b", "close a");
    }

    @Test
    void shouldNameTheLoopAndThePropagatorWhenACaptureFails() {
        ContextPropagator nothing = () -> null;

        assertThatThrownBy(() -> Contexts.capture("orders", List.of(nothing)))
                .isInstanceOf(Contexts.CaptureFailed.class)
                .hasMessageStartingWith("loop 'orders' could not capture the caller's context with ")
                .hasMessageContaining(nothing.getClass().getName());
    }

    @Test
    void shouldCarryNothingWithoutPropagators() throws Exception {
        assertThat(Contexts.capture("l", List.of())).isSameAs(Contexts.NONE);
    }
}
