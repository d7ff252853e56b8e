package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.parfor.autoconfigure.EngineType;
import dev.parfor.autoconfigure.ParforProperties;
import dev.parfor.autoconfigure.ParforProperties.EngineProperties;
import dev.parfor.hazelcast.HazelcastEngine;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
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
 * Registers a {@link HazelcastEngine} bean for the engine named {@code hazelcast} and for every engine configured
 * with {@code parfor.engines.<name>.type=hazelcast}, unless the application defines a bean of that name.
 */
class HazelcastEngineRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

    private @Nullable Environment environment;
    private @Nullable ListableBeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (ListableBeanFactory) beanFactory;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        ListableBeanFactory beans = beanFactory;
        if (environment == null || beans == null) {
            return;
        }
        ParforProperties properties = Binder.get(environment)
                .bind("parfor", Bindable.of(ParforProperties.class))
                .orElseGet(ParforProperties::new);
        Map<String, EngineProperties> engines = new LinkedHashMap<>();
        engines.put(
                ParforHazelcastAutoConfiguration.ENGINE_NAME,
                properties
                        .getEngines()
                        .getOrDefault(ParforHazelcastAutoConfiguration.ENGINE_NAME, new EngineProperties()));
        properties.getEngines().forEach(engines::putIfAbsent);
        // The engines need the instance up and must close before it shuts down.
        String[] instances = beans.getBeanNamesForType(HazelcastInstance.class, true, false);
        engines.forEach((name, engine) -> {
            if (!isHazelcast(name, engine) || registry.isBeanNameInUse(name)) {
                return;
            }
            RootBeanDefinition definition =
                    new RootBeanDefinition(HazelcastEngine.class, () -> create(name, engine, beans));
            definition.setDependsOn(instances);
            definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
            definition.setDescription("parfor engine '" + name + "' of type hazelcast");
            registry.registerBeanDefinition(name, definition);
        });
    }

    private static boolean isHazelcast(String name, EngineProperties engine) {
        return engine.getType() != null
                ? engine.getType() == EngineType.HAZELCAST
                : name.equals(ParforHazelcastAutoConfiguration.ENGINE_NAME);
    }

    static HazelcastEngine create(String name, EngineProperties engine, ListableBeanFactory beans) {
        String at = "parfor.engines." + name + ".";
        HazelcastEngine.Builder builder = HazelcastEngine.builder(beans.getBean(HazelcastInstance.class));
        if (engine.getExecutorName() != null) {
            if (engine.getExecutorName().isBlank()) {
                throw new IllegalArgumentException(
                        "'" + at + "executor-name' must not be blank but was '" + engine.getExecutorName() + "'");
            }
            builder.executorName(engine.getExecutorName().strip());
        }
        if (engine.getPoolSize() != null) {
            builder.poolSize(atLeastOne(engine.getPoolSize(), at + "pool-size"));
        }
        if (engine.getMaxAttempts() != null) {
            builder.maxAttempts(atLeastOne(engine.getMaxAttempts(), at + "max-attempts"));
        }
        return builder.build();
    }

    private static int atLeastOne(int value, String property) {
        if (value < 1) {
            throw new IllegalArgumentException("'" + property + "' must be greater than 0 but was " + value);
        }
        return value;
    }
}
