package dev.parfor.autoconfigure.hazelcast;

import dev.parfor.hazelcast.HazelcastEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * The counter {@code parfor.hazelcast.straggler.reruns}, tagged with the engine's name: chunks a Hazelcast engine ran
 * a second time on another member because they straggled. The engines are looked up when the registry binds, so this
 * binder does not make them start early.
 */
final class StragglerMeterBinder implements MeterBinder {

    static final String NAME = "parfor.hazelcast.straggler.reruns";

    private final ListableBeanFactory beans;

    StragglerMeterBinder(ListableBeanFactory beans) {
        this.beans = beans;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        beans.getBeansOfType(HazelcastEngine.class)
                .forEach((name, engine) -> FunctionCounter.builder(NAME, engine, HazelcastEngine::stragglerReruns)
                        .description("Chunks run a second time on another member because they ran far longer than their"
                                + " loop's typical chunk")
                        .baseUnit("chunks")
                        .tag("engine", name)
                        .register(registry));
    }
}
