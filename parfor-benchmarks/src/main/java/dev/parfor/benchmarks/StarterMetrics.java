package dev.parfor.benchmarks;

import dev.parfor.ParallelFor;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two Spring Boot contexts with the parfor starter, identical but for its Micrometer auto-configuration: the
 * {@code ParallelFor} bean of one has the starter's own listeners (observation {@code parfor.loop} with its timer,
 * counter {@code parfor.tasks}), the other has none. Both use a {@code fork-join} engine with one thread per core.
 */
public final class StarterMetrics implements AutoCloseable {

    /** The application both contexts start: auto-configuration only, as a Boot application would have. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}

    private final ConfigurableApplicationContext on;
    private final ConfigurableApplicationContext off;

    /** Starts both contexts. */
    public StarterMetrics() {
        this.on = start(false);
        this.off = start(true);
    }

    private static ConfigurableApplicationContext start(boolean withoutMetrics) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setBannerMode(Banner.Mode.OFF);
        app.setLogStartupInfo(false);
        List<String> args = new ArrayList<>(List.of(
                "--parfor.engine=fork-join",
                "--parfor.progress.log-level=off",
                "--parfor.progress.summary-log-level=off",
                // Hazelcast is on the class path for workload 6; these contexts need no member of their own.
                "--parfor.hazelcast.embedded.enabled=false",
                "--spring.main.register-shutdown-hook=false"));
        if (withoutMetrics) {
            args.add("--spring.autoconfigure.exclude=dev.parfor.autoconfigure.metrics.ParforMetricsAutoConfiguration");
        }
        return app.run(args.toArray(String[]::new));
    }

    /**
     * The {@code ParallelFor} bean with the starter's Micrometer listeners.
     *
     * @return the bean
     */
    public ParallelFor withMetrics() {
        return on.getBean(ParallelFor.class);
    }

    /**
     * The {@code ParallelFor} bean of the context without parfor's metrics auto-configuration.
     *
     * @return the bean
     */
    public ParallelFor withoutMetrics() {
        return off.getBean(ParallelFor.class);
    }

    /**
     * The registry the listeners record into.
     *
     * @return the registry of the context with metrics
     */
    public MeterRegistry registry() {
        return on.getBean(MeterRegistry.class);
    }

    /** What the table says about the listeners. */
    String describe() {
        List<String> names = new ArrayList<>();
        for (String name : on.getBeanNamesForType(dev.parfor.LoopListener.class)) {
            names.add(on.getBean(name).getClass().getSimpleName());
        }
        return "the starter's listeners " + names + " on "
                + registry().getClass().getSimpleName();
    }

    @Override
    public void close() {
        on.close();
        off.close();
    }
}
