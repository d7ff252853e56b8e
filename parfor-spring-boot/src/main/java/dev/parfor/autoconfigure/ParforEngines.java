package dev.parfor.autoconfigure;

import dev.parfor.Engines;
import dev.parfor.autoconfigure.ParforProperties.EngineProperties;
import dev.parfor.spi.Engine;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * The engines parfor creates from its properties: the built-in {@code sequential}, {@code fork-join} and
 * {@code virtual}, and each engine under {@code parfor.engines} with a local type. They are not beans, so no bean of
 * the application (an {@code HttpClient} named {@code io}, say) can hide or replace one; the container closes them
 * through this holder. An application's own {@code Engine} bean of a built-in engine's name replaces that engine.
 */
final class ParforEngines implements AutoCloseable {

    static final List<String> BUILT_IN = List.of("sequential", "fork-join", "virtual");

    /** Default of {@code parfor.engines.<name>.max-concurrency} for virtual engines. */
    static final int DEFAULT_MAX_CONCURRENCY = 256;

    /** Prefix of a bean name that makes an Engine bean the engine named by the rest, without taking a plain name. */
    static final String BEAN_NAME_PREFIX = "parfor.engines.";

    private final Map<String, Engine> engines;

    private ParforEngines(Map<String, Engine> engines) {
        this.engines = Collections.unmodifiableMap(engines);
    }

    /**
     * Creates the engines of the properties, except those an application's Engine bean provides.
     *
     * @param beanEngines the engine names that Engine beans provide, each with its bean name
     */
    static ParforEngines create(
            ParforProperties properties,
            Map<String, String> beanEngines,
            ConfigurableListableBeanFactory beans,
            WrittenProperties written) {
        Map<String, EngineProperties> wanted = new LinkedHashMap<>();
        for (String name : BUILT_IN) {
            wanted.put(name, properties.getEngines().getOrDefault(name, new EngineProperties()));
        }
        properties.getEngines().forEach(wanted::putIfAbsent);
        Map<String, Engine> created = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, EngineProperties> entry : wanted.entrySet()) {
                String name = entry.getKey();
                EngineProperties engine = entry.getValue();
                String bean = beanEngines.get(name);
                if (bean != null) {
                    refuseSettingsOfABeanEngine(name, engine, bean, beans, written);
                    continue;
                }
                EngineType type = ParforChecks.type(name, engine);
                // No type: checked once the engines are known. Hazelcast: its auto-configuration provides the bean.
                if (type == null || type == EngineType.HAZELCAST) {
                    continue;
                }
                created.put(name, create(name, type, engine, beans, written));
            }
        } catch (RuntimeException e) {
            created.values().forEach(ParforEngines::closeQuietly);
            throw e;
        }
        return new ParforEngines(created);
    }

    /** Settings that create an engine cannot apply to an engine the application built itself. */
    private static void refuseSettingsOfABeanEngine(
            String name,
            EngineProperties engine,
            String bean,
            ConfigurableListableBeanFactory beans,
            WrittenProperties written) {
        String at = "parfor.engines." + name + ".";
        Map<String, @Nullable Object> settings = new LinkedHashMap<>();
        settings.put("type", engine.getType());
        settings.put("parallelism", engine.getParallelism());
        settings.put("max-concurrency", engine.getMaxConcurrency());
        settings.put("executor", engine.getExecutor());
        for (Map.Entry<String, @Nullable Object> setting : settings.entrySet()) {
            if (setting.getValue() != null) {
                Class<?> type = ParforChecks.declaredType(beans, bean);
                throw written.invalid(
                        at + setting.getKey(),
                        setting.getValue(),
                        "engine '" + name + "' is the application's bean '" + bean + "' ("
                                + (type == null ? "an Engine" : type.getName())
                                + "), so this setting would never apply",
                        "Remove '" + at + setting.getKey() + "' and configure the bean in code, or give the"
                                + " configured engine another name.");
            }
        }
    }

    private static Engine create(
            String name,
            EngineType type,
            EngineProperties engine,
            ConfigurableListableBeanFactory beans,
            WrittenProperties written) {
        int processors = Runtime.getRuntime().availableProcessors();
        return switch (type) {
            case SEQUENTIAL -> Engines.sequential();
            case FORK_JOIN -> Engines.forkJoin(engine.getParallelism() != null ? engine.getParallelism() : processors);
            case VIRTUAL ->
                Engines.virtualThreads(
                        engine.getMaxConcurrency() != null ? engine.getMaxConcurrency() : DEFAULT_MAX_CONCURRENCY);
            case EXECUTOR ->
                Engines.executor(
                        executor(name, engine, beans, written),
                        engine.getParallelism() != null ? engine.getParallelism() : processors);
            case HAZELCAST -> throw new IllegalStateException("the Hazelcast auto-configuration creates " + name);
        };
    }

    private static Executor executor(
            String name, EngineProperties engine, ConfigurableListableBeanFactory beans, WrittenProperties written) {
        String property = "parfor.engines." + name + ".executor";
        String bean = engine.getExecutor();
        if (bean == null || !beans.containsBean(bean)) {
            String[] candidates = beans.getBeanNamesForType(Executor.class);
            throw written.invalid(
                    property,
                    bean,
                    "there is no bean of that name",
                    candidates.length == 0
                            ? "Define an Executor bean named '" + bean + "', or set '" + property
                                    + "' to the name of an existing Executor bean."
                            : "Set '" + property + "' to the name of an Executor bean: "
                                    + String.join(
                                            ", ",
                                            Arrays.stream(candidates).sorted().toList()) + ".");
        }
        Object found = beans.getBean(bean);
        if (!(found instanceof Executor executor)) {
            throw written.invalid(
                    property,
                    bean,
                    "the bean '" + bean + "' is a " + declaredName(beans, bean, found)
                            + ", not a java.util.concurrent.Executor",
                    "Set '" + property + "' to the name of an Executor bean.");
        }
        // The engines run on the executor, so the executor must outlive them when the context closes.
        beans.registerDependentBean(bean, ParforAutoConfiguration.ENGINES_BEAN);
        return executor;
    }

    private static String declaredName(ConfigurableListableBeanFactory beans, String bean, Object found) {
        Class<?> declared = ParforChecks.declaredType(beans, bean);
        return (declared != null ? declared : found.getClass()).getName();
    }

    /**
     * The engines, by name, built-in ones first.
     *
     * @return an unmodifiable map
     */
    Map<String, Engine> engines() {
        return engines;
    }

    @Override
    public void close() {
        engines.values().forEach(ParforEngines::closeQuietly);
    }

    private static void closeQuietly(Engine engine) {
        try {
            engine.close();
        } catch (Exception e) {
            LoggerFactory.getLogger(ParforEngines.class).warn("closing engine {} failed", engine, e);
        }
    }

    /** The engine name an Engine bean provides: its bean name, without {@value #BEAN_NAME_PREFIX} if it has it. */
    static String engineName(String beanName) {
        return beanName.startsWith(BEAN_NAME_PREFIX) ? beanName.substring(BEAN_NAME_PREFIX.length()) : beanName;
    }

    @Override
    public String toString() {
        return "parfor engines " + engines.keySet();
    }
}
