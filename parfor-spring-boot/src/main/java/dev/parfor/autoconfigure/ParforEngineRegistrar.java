package dev.parfor.autoconfigure;

import dev.parfor.Engines;
import dev.parfor.autoconfigure.ParforProperties.EngineProperties;
import dev.parfor.spi.Engine;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers an {@link Engine} bean for each built-in engine and each engine declared under {@code parfor.engines},
 * named as in the configuration. A bean the application already defines under that name wins. Engine beans are
 * closed by the container.
 */
final class ParforEngineRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

    static final List<String> BUILT_IN = List.of("sequential", "fork-join", "virtual");

    private @Nullable Environment environment;
    private @Nullable ConfigurableListableBeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        ParforProperties properties = Binder.get(environment)
                .bind(ParforChecks.PREFIX, Bindable.of(ParforProperties.class))
                .orElseGet(ParforProperties::new);
        ParforChecks.checkValues(properties);
        Map<String, EngineProperties> engines = new LinkedHashMap<>();
        for (String name : BUILT_IN) {
            engines.put(name, properties.getEngines().getOrDefault(name, new EngineProperties()));
        }
        properties.getEngines().forEach(engines::putIfAbsent);
        ConfigurableListableBeanFactory factory = beanFactory;
        engines.forEach((name, engine) -> {
            EngineType type = ParforChecks.type(name, engine);
            // No type: a bean of that name must come from elsewhere (checked when ParallelFor is built).
            // Hazelcast: the Hazelcast auto-configuration registers the bean.
            if (type == null || type == EngineType.HAZELCAST || registry.isBeanNameInUse(name)) {
                return;
            }
            RootBeanDefinition definition =
                    new RootBeanDefinition(Engine.class, () -> create(name, type, engine, factory));
            definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
            definition.setDescription("parfor engine '" + name + "' of type " + type.id());
            registry.registerBeanDefinition(name, definition);
        });
    }

    static Engine create(
            String name, EngineType type, EngineProperties engine, @Nullable ConfigurableListableBeanFactory beans) {
        String prefix = engine.getThreadNamePrefix() != null ? engine.getThreadNamePrefix() : "parfor-" + name + "-";
        int processors = Runtime.getRuntime().availableProcessors();
        return switch (type) {
            case SEQUENTIAL -> Engines.sequential();
            case FORK_JOIN ->
                Engines.forkJoin(engine.getParallelism() != null ? engine.getParallelism() : processors, prefix);
            case VIRTUAL ->
                Engines.virtualThreads(
                        engine.getMaxConcurrency() != null ? engine.getMaxConcurrency() : DEFAULT_MAX_CONCURRENCY,
                        prefix);
            case EXECUTOR ->
                Engines.executor(
                        executor(name, engine, beans),
                        engine.getParallelism() != null ? engine.getParallelism() : processors);
            case HAZELCAST -> throw new IllegalStateException("the Hazelcast auto-configuration creates " + name);
        };
    }

    /** Default of {@code parfor.engines.virtual.max-concurrency}. */
    static final int DEFAULT_MAX_CONCURRENCY = 256;

    private static Executor executor(
            String name, EngineProperties engine, @Nullable ConfigurableListableBeanFactory beans) {
        String property = "parfor.engines." + name + ".executor";
        String bean = engine.getExecutor();
        if (beans == null || bean == null || !beans.containsBean(bean)) {
            String[] candidates = beans == null ? new String[0] : beans.getBeanNamesForType(Executor.class);
            throw new InvalidParforPropertyException(
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
            throw new InvalidParforPropertyException(
                    property,
                    bean,
                    "the bean is a " + found.getClass().getName() + ", not a java.util.concurrent.Executor",
                    "Set '" + property + "' to the name of an Executor bean.");
        }
        // The engine runs on the executor, so the executor must outlive it when the context closes.
        beans.registerDependentBean(bean, name);
        return executor;
    }
}
