package dev.parfor.autoconfigure.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import dev.parfor.autoconfigure.EngineType;
import dev.parfor.autoconfigure.InvalidParforPropertyException;
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
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
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
        HazelcastInstance instance = beans.getBean(HazelcastInstance.class);
        HazelcastEngine.Builder builder = HazelcastEngine.builder(instance);
        ParforProperties.Hazelcast hazelcast = beans.getBeanProvider(ParforProperties.class)
                .getIfAvailable(ParforProperties::new)
                .getHazelcast();
        if (engine.getExecutorName() != null) {
            if (engine.getExecutorName().isBlank()) {
                throw new InvalidParforPropertyException(
                        at + "executor-name",
                        engine.getExecutorName(),
                        "it must not be blank",
                        "Set '" + at + "executor-name' to the name of a Hazelcast executor service, such as parfor.");
            }
            builder.executorName(engine.getExecutorName().strip());
        }
        if (engine.getPoolSize() != null) {
            int poolSize = atLeastOne(engine.getPoolSize(), at + "pool-size");
            try {
                builder.poolSize(poolSize);
            } catch (IllegalStateException e) {
                throw new InvalidParforPropertyException(
                        at + "pool-size",
                        poolSize,
                        "the application's HazelcastInstance is a client, which cannot change the cluster's"
                                + " executor configuration",
                        "Remove '" + at + "pool-size' and set the pool size of the executor service in the"
                                + " members' Hazelcast configuration (executor-service.<name>.pool-size).");
            }
        }
        if (engine.getMaxAttempts() != null) {
            builder.maxAttempts(atLeastOne(engine.getMaxAttempts(), at + "max-attempts"));
        }
        ParforProperties.Hazelcast.Stragglers stragglers = hazelcast.getStragglers();
        if (!stragglers.isEnabled()) {
            builder.noStragglerReruns();
        } else {
            String where = "parfor.hazelcast.stragglers.";
            if (!(stragglers.getMultiple() >= 1.5) || Double.isInfinite(stragglers.getMultiple())) {
                throw new InvalidParforPropertyException(
                        where + "multiple",
                        stragglers.getMultiple(),
                        "a chunk must run at least 1.5 times the median chunk time before it is run again",
                        "Set '" + where + "multiple' to 1.5 or more (default 4), or '" + where + "enabled' to false.");
            }
            if (stragglers.getMinimum() == null
                    || stragglers.getMinimum().isNegative()
                    || stragglers.getMinimum().isZero()) {
                throw new InvalidParforPropertyException(
                        where + "minimum",
                        stragglers.getMinimum(),
                        "the time before a re-run must be positive",
                        "Set '" + where + "minimum' to a duration such as 2s.");
            }
            builder.stragglers(stragglers.getMultiple(), stragglers.getMinimum());
        }
        // Read on a client only (a member applies its configured filter): the named packages and the application's.
        java.util.List<String> packages = new java.util.ArrayList<>();
        hazelcast.getAllowedPackages().stream()
                .filter(p -> p != null && !p.isBlank())
                .map(String::strip)
                .forEach(packages::add);
        if (AutoConfigurationPackages.has(beans)) {
            packages.addAll(AutoConfigurationPackages.get(beans));
        }
        builder.allowedPackages(packages);
        return builder.build();
    }

    private static int atLeastOne(int value, String property) {
        if (value < 1) {
            throw new InvalidParforPropertyException(
                    property, value, "it must be greater than 0", "Set '" + property + "' to 1 or more.");
        }
        return value;
    }
}
