package dev.parfor.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parfor.spi.Engine;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The portable contract on every local engine case of {@link EngineCase#all()}. */
class LocalPortableContractTest {

    /** One engine case: its name, a new engine per test, and whether it runs bodies side by side. */
    abstract static class Local extends PortableContract {
        private final EngineCase engineCase;

        Local(String name) {
            this.engineCase = EngineCase.named(name);
        }

        @Override
        protected Engine newEngine() {
            return engineCase.factory().get();
        }

        @Override
        protected String engineName() {
            return engineCase.name();
        }

        @Override
        protected boolean concurrent() {
            return engineCase.concurrent();
        }
    }

    /** A case added to {@link EngineCase#all()} needs a nested class here, or the contract never runs on it. */
    @Test
    void shouldRunTheContractOnEveryEngineCase() throws Exception {
        List<String> covered = new ArrayList<>();
        for (Class<?> nested : LocalPortableContractTest.class.getDeclaredClasses()) {
            if (Local.class.isAssignableFrom(nested)
                    && !Modifier.isAbstract(nested.getModifiers())
                    && nested.isAnnotationPresent(Nested.class)) {
                Local local = (Local) nested.getDeclaredConstructor(LocalPortableContractTest.class)
                        .newInstance(this);
                covered.add(local.engineName());
            }
        }
        assertThat(covered)
                .containsExactlyInAnyOrderElementsOf(
                        EngineCase.all().stream().map(EngineCase::name).toList());
        // The executors that once hung loops stay among the cases: one that runs tasks inline, one that saturates.
        assertThat(covered).contains("executor-inline", "executor-caller-runs");
    }

    @Nested
    class Sequential extends Local {
        Sequential() {
            super("sequential");
        }
    }

    @Nested
    class ForkJoin extends Local {
        ForkJoin() {
            super("fork-join");
        }
    }

    @Nested
    class Virtual extends Local {
        Virtual() {
            super("virtual");
        }
    }

    @Nested
    class Executor extends Local {
        Executor() {
            super("executor");
        }
    }

    @Nested
    class ExecutorInline extends Local {
        ExecutorInline() {
            super("executor-inline");
        }
    }

    @Nested
    class ExecutorCallerRuns extends Local {
        ExecutorCallerRuns() {
            super("executor-caller-runs");
        }
    }
}
