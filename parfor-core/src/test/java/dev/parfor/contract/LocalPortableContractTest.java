package dev.parfor.contract;

import dev.parfor.spi.Engine;
import org.junit.jupiter.api.Nested;

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
