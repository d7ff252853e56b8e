package dev.parfor.autoconfigure;

import dev.parfor.autoconfigure.ParforProperties.EngineProperties;
import dev.parfor.autoconfigure.ParforProperties.LoopProperties;
import java.beans.PropertyDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;

/**
 * Every check of the parfor properties, so that a bad value stops start-up with one clear message. Values are checked
 * once, when {@link ParforProperties} is bound ({@link ParforBindHandlerAdvisor}); names that refer to engines once the
 * engines exist.
 */
final class ParforChecks {

    static final String PREFIX = "parfor";

    private static final ConfigurationPropertyName ENGINES = ConfigurationPropertyName.of("parfor.engines");
    private static final ConfigurationPropertyName LOOPS = ConfigurationPropertyName.of("parfor.loops");
    private static final ConfigurationPropertyName LIMITS = ConfigurationPropertyName.of("parfor.limits");

    /**
     * Keys parfor once took, by what they belong to and their uniform form, with why they went ({@code %s}: the
     * entry's name): an application upgraded with one left in its properties is told to remove it.
     */
    private static final Map<String, String> REMOVED_KEYS = Map.of(
            "engine.threadnameprefix",
            "parfor names an engine's threads after the engine ('parfor-%s-<n>') and no longer takes a prefix");

    /** The keys under {@code parfor.engines.<name>}, as written in properties. */
    static final List<String> ENGINE_KEYS = keys(EngineProperties.class);

    /** The keys under {@code parfor.loops.<name>}, as written in properties. */
    static final List<String> LOOP_KEYS = keys(LoopProperties.class);

    /** The keys under {@code parfor.limits.<name>}, as written in properties. */
    static final List<String> LIMIT_KEYS = keys(ParforProperties.LimitProperties.class);

    private ParforChecks() {}

    private static List<String> keys(Class<?> type) {
        List<String> keys = new ArrayList<>();
        for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
            if (descriptor.getWriteMethod() != null) {
                keys.add(DataObjectPropertyName.toDashedForm(descriptor.getName()));
            }
        }
        return List.copyOf(keys);
    }

    /**
     * Refuses keys under {@code parfor.engines.<name>} and {@code parfor.loops.<name>} that no property has, such as
     * a misspelled {@code paralelism}: they would never apply.
     */
    static void checkKeys(Iterable<ConfigurationPropertySource> sources) {
        for (ConfigurationPropertySource source : sources) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            for (ConfigurationPropertyName name : iterable) {
                if (ENGINES.isAncestorOf(name)) {
                    checkKey(name, ENGINE_KEYS, "engine", iterable);
                } else if (LOOPS.isAncestorOf(name)) {
                    checkKey(name, LOOP_KEYS, "loop", iterable);
                } else if (LIMITS.isAncestorOf(name)) {
                    checkKey(name, LIMIT_KEYS, "limit", iterable);
                }
            }
        }
    }

    private static void checkKey(
            ConfigurationPropertyName name,
            List<String> known,
            String what,
            IterableConfigurationPropertySource source) {
        if (name.getNumberOfElements() < 4) {
            return; // a map entry without a key below it fails to bind, and Spring Boot reports that
        }
        String key = name.getElement(3, Form.UNIFORM);
        if (known.stream().anyMatch(k -> uniform(k).equals(key))) {
            return;
        }
        String group = "parfor." + name.getElement(1, Form.ORIGINAL);
        String entry = name.getElement(2, Form.ORIGINAL);
        String written = original(name);
        String action = "Fix the key of '" + written + "', or remove it. Known keys under '" + group + ".<name>': "
                + String.join(", ", known) + ".";
        // parfor.loops.ReportService.renderAll.engine: a name with a dot, read as name 'ReportService' and key
        // 'renderAll'.
        if (name.getNumberOfElements() > 4) {
            for (int i = 4; i < name.getNumberOfElements(); i++) {
                String later = name.getElement(i, Form.UNIFORM);
                if (known.stream().anyMatch(k -> uniform(k).equals(later))) {
                    StringBuilder whole = new StringBuilder(entry);
                    for (int j = 3; j < i; j++) {
                        whole.append('.').append(name.getElement(j, Form.ORIGINAL));
                    }
                    action = ("engine".equals(what) ? "An " : "A ") + what + " name with a dot needs brackets: '"
                            + group + "[" + whole + "]."
                            + name.getElement(i, Form.ORIGINAL) + "'. Default loop names are lower-case kebab"
                            + " (for example 'report-service-render-all') and need none. " + action;
                    break;
                }
            }
        }
        String removed = REMOVED_KEYS.get(what + "." + key);
        if (removed != null) {
            action = "Remove it: " + removed.formatted(entry) + ".";
        }
        ConfigurationProperty property = source.getConfigurationProperty(name);
        throw new InvalidParforPropertyException(
                written,
                WrittenProperties.value(property, null),
                WrittenProperties.origin(property),
                "'" + name.getElement(3, Form.ORIGINAL) + "' is not a property of " + what + " '" + entry
                        + "', so it would never apply",
                action);
    }

    /** The name as the user wrote it: original case, brackets around elements that hold a dot. */
    private static String original(ConfigurationPropertyName name) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < name.getNumberOfElements(); i++) {
            String element = name.getElement(i, Form.ORIGINAL);
            if (element.contains(".") || name.isNumericIndex(i)) {
                text.append('[').append(element).append(']');
            } else {
                text.append(text.isEmpty() ? "" : ".").append(element);
            }
        }
        return text.toString();
    }

    private static String uniform(String dashed) {
        return dashed.replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Checks the values that need nothing but the properties; run when they are bound, before any engine exists. */
    static void checkValues(ParforProperties properties, WrittenProperties written) {
        if (properties.getEngine() == null || properties.getEngine().isBlank()) {
            throw written.invalid(
                    "parfor.engine",
                    properties.getEngine(),
                    "the default engine needs a name",
                    "Set 'parfor.engine' to the name of an engine, for example fork-join, virtual or sequential.");
        }
        for (Map.Entry<String, EngineProperties> entry : properties.getEngines().entrySet()) {
            checkEngine(entry.getKey(), entry.getValue(), written);
        }
        for (Map.Entry<String, ParforProperties.LimitProperties> entry :
                properties.getLimits().entrySet()) {
            checkLimit(entry.getKey(), entry.getValue(), written);
        }
        for (Map.Entry<String, LoopProperties> entry : properties.getLoops().entrySet()) {
            checkLoop(entry.getKey(), entry.getValue(), written);
            String limit = entry.getValue().getLimit();
            if (limit != null && !properties.getLimits().containsKey(limit)) {
                String at = "parfor.loops." + entry.getKey() + ".limit";
                throw written.invalid(
                        at,
                        limit,
                        "no limit of that name is declared",
                        "Declare it under 'parfor.limits." + limit + "' (max-concurrency, rate, burst), or set '" + at
                                + "' to one of: "
                                + (properties.getLimits().isEmpty()
                                        ? "(none declared)"
                                        : String.join(
                                                ", ", properties.getLimits().keySet()))
                                + ".");
            }
        }
        Duration interval = properties.getProgress().getInterval();
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw written.invalid(
                    "parfor.progress.interval",
                    interval,
                    "the progress interval must be longer than zero",
                    "Set 'parfor.progress.interval' to a positive duration such as 10s, or set"
                            + " 'parfor.progress.log-level' to off to turn progress lines off.");
        }
        Duration grace = properties.getShutdown().getAwaitTerminationPeriod();
        if (grace == null || grace.isNegative()) {
            throw written.invalid(
                    "parfor.shutdown.await-termination-period",
                    grace,
                    "the period must not be negative",
                    "Set 'parfor.shutdown.await-termination-period' to 0s or a positive duration such as 10s.");
        }
        checkHazelcast(properties.getHazelcast(), written);
    }

    private static void checkHazelcast(ParforProperties.Hazelcast hazelcast, WrittenProperties written) {
        List<String> packages = hazelcast.getAllowedPackages();
        if (packages != null) {
            for (int i = 0; i < packages.size(); i++) {
                notBlank(
                        "parfor.hazelcast.allowed-packages[" + i + "]",
                        packages.get(i),
                        "a package name such as com.example.orders",
                        written);
            }
        }
        ParforProperties.Hazelcast.Embedded embedded = hazelcast.getEmbedded();
        int port = embedded.getPort();
        if (port < 1 || port > 65_535) {
            throw written.invalid(
                    "parfor.hazelcast.embedded.port",
                    port,
                    "a port must be between 1 and 65535",
                    "Set 'parfor.hazelcast.embedded.port' to a free port such as 5701.");
        }
        notBlank("parfor.hazelcast.embedded.cluster-name", embedded.getClusterName(), "a name such as orders", written);
        notBlank(
                "parfor.hazelcast.embedded.interface", embedded.getInterface(), "an address such as 10.0.0.3", written);
        List<String> members = embedded.getMembers();
        if (members != null) {
            for (int i = 0; i < members.size(); i++) {
                notBlank(
                        "parfor.hazelcast.embedded.members[" + i + "]",
                        members.get(i),
                        "a host or host:port such as 10.0.0.2:5701",
                        written);
            }
        }
    }

    private static void notBlank(String property, @Nullable String value, String example, WrittenProperties written) {
        if (value != null && value.isBlank()) {
            throw written.invalid(
                    property,
                    value,
                    "it must not be blank",
                    "Set '" + property + "' to " + example + ", or remove it for the default.");
        }
    }

    private static void checkEngine(String name, EngineProperties engine, WrittenProperties written) {
        String at = "parfor.engines." + name + ".";
        atLeastOne(at + "parallelism", engine.getParallelism(), written);
        atLeastOne(at + "max-concurrency", engine.getMaxConcurrency(), written);
        atLeastOne(at + "chunk-size", engine.getChunkSize(), written);
        atLeastOne(at + "pool-size", engine.getPoolSize(), written);
        atLeastOne(at + "max-attempts", engine.getMaxAttempts(), written);
        notBlank(at + "executor-name", engine.getExecutorName(), "the name of a Hazelcast executor service", written);
        if (type(name, engine) == EngineType.EXECUTOR
                && (engine.getExecutor() == null || engine.getExecutor().isBlank())) {
            throw written.invalid(
                    at + "executor",
                    engine.getExecutor(),
                    "an engine of type executor needs the name of an existing Executor bean",
                    "Set '" + at + "executor' to the name of an Executor bean, for example applicationTaskExecutor.");
        }
    }

    private static void checkLimit(String name, ParforProperties.LimitProperties limit, WrittenProperties written) {
        String at = "parfor.limits." + name + ".";
        if (limit.getMaxConcurrency() != null && limit.getMaxConcurrency() < 1) {
            throw written.invalid(
                    at + "max-concurrency",
                    limit.getMaxConcurrency(),
                    "a limit's concurrency must be at least 1",
                    "Set '" + at + "max-concurrency' to 1 or more, or remove it to bound only the rate.");
        }
        if (limit.getRate() != null && !(limit.getRate() > 0 && limit.getRate() < Double.POSITIVE_INFINITY)) {
            throw written.invalid(
                    at + "rate",
                    limit.getRate(),
                    "a rate must be a positive number of permits per second",
                    "Set '" + at + "rate' to a number such as 50, or remove it to bound only concurrency.");
        }
        if (limit.getBurst() != null && limit.getBurst() < 1) {
            throw written.invalid(
                    at + "burst",
                    limit.getBurst(),
                    "a burst must be at least 1",
                    "Set '" + at + "burst' to 1 or more.");
        }
        if (limit.getMaxConcurrency() == null && limit.getRate() == null) {
            throw written.invalid(
                    at + "max-concurrency",
                    null,
                    "limit '" + name + "' bounds nothing",
                    "Set '" + at + "max-concurrency' or '" + at + "rate' (or both).");
        }
    }

    private static void checkLoop(String name, LoopProperties loop, WrittenProperties written) {
        String at = "parfor.loops." + name + ".";
        if (loop.getEngine() != null && loop.getEngine().isBlank()) {
            throw written.invalid(
                    at + "engine",
                    loop.getEngine(),
                    "an engine name must not be blank",
                    "Set '" + at + "engine' to the name of an engine, or remove it.");
        }
        atLeastOne(at + "parallelism", loop.getParallelism(), written);
        atLeastOne(at + "chunk-size", loop.getChunkSize(), written);
        positive(at + "timeout", loop.getTimeout(), written);
        positive(at + "task-timeout", loop.getTaskTimeout(), written);
        if (loop.getRetries() != null && loop.getRetries() < 0) {
            throw written.invalid(
                    at + "retries",
                    loop.getRetries(),
                    "the number of retries must not be negative",
                    "Set '" + at + "retries' to 0 or more.");
        }
        if (loop.getBackoff() != null && loop.getBackoff().isNegative()) {
            throw written.invalid(
                    at + "backoff",
                    loop.getBackoff(),
                    "the backoff must not be negative",
                    "Set '" + at + "backoff' to 0s or a positive duration such as 100ms.");
        }
        if (loop.getBackoffMultiplier() != null
                && !(loop.getBackoffMultiplier() >= 1 && loop.getBackoffMultiplier() < Double.POSITIVE_INFINITY)) {
            throw written.invalid(
                    at + "backoff-multiplier",
                    loop.getBackoffMultiplier(),
                    "the multiplier must be a number of at least 1",
                    "Set '" + at + "backoff-multiplier' to 1 for a fixed wait, or 2 to double it each retry.");
        }
        positive(at + "max-backoff", loop.getMaxBackoff(), written);
        if (loop.getJitter() != null && !(loop.getJitter() >= 0 && loop.getJitter() <= 1)) {
            throw written.invalid(
                    at + "jitter",
                    loop.getJitter(),
                    "the jitter must be between 0 and 1",
                    "Set '" + at + "jitter' to a fraction such as 0.5 (waits spread by +/-50%).");
        }
        if (loop.getLimit() != null && loop.getLimit().isBlank()) {
            throw written.invalid(
                    at + "limit",
                    loop.getLimit(),
                    "a limit name must not be blank",
                    "Set '" + at + "limit' to the name of a limit under 'parfor.limits', or remove it.");
        }
        if (loop.getBackoff() != null && loop.getRetries() == null) {
            throw written.invalid(
                    at + "backoff",
                    loop.getBackoff(),
                    "a backoff needs a number of retries",
                    "Set '" + at + "retries' as well, or remove '" + at + "backoff'.");
        }
    }

    /**
     * Checks the names that refer to engines, once every engine is known.
     *
     * @param engines the names of the engines
     * @param beans the application's beans, to name a bean whose name was meant as an engine's
     */
    static void checkNames(
            ParforProperties properties,
            Collection<String> engines,
            WrittenProperties written,
            @Nullable ListableBeanFactory beans) {
        for (Map.Entry<String, EngineProperties> entry : properties.getEngines().entrySet()) {
            String name = entry.getKey();
            if (engines.contains(name)) {
                continue;
            }
            String at = "parfor.engines." + name + ".type";
            EngineType type = type(name, entry.getValue());
            if (type == EngineType.HAZELCAST) {
                throw written.invalid(
                        at,
                        type,
                        "an engine of type hazelcast needs parfor's Hazelcast support, and no Engine bean named '"
                                + name + "' exists",
                        "Add dev.parfor:parfor-hazelcast and com.hazelcast:hazelcast to the application's"
                                + " dependencies (parfor then uses the application's HazelcastInstance), or set '"
                                + at + "' to another type: " + EngineType.accepted() + ".");
            }
            throw written.invalid(
                    at,
                    type,
                    "engine '" + name + "' is not built in and no Engine bean has that name, so it needs a type",
                    "Set '" + at + "' to one of: " + EngineType.accepted() + ".");
        }
        String known = String.join(", ", new TreeSet<>(engines));
        if (!engines.contains(properties.getEngine())) {
            throw written.invalid(
                    "parfor.engine",
                    properties.getEngine(),
                    "no engine has that name" + hint(properties.getEngine(), beans),
                    "Set 'parfor.engine' to one of the engines: " + known + ", or declare it under 'parfor.engines."
                            + properties.getEngine() + "'.");
        }
        for (Map.Entry<String, LoopProperties> entry : properties.getLoops().entrySet()) {
            String engine = entry.getValue().getEngine();
            if (engine != null && !engines.contains(engine)) {
                String at = "parfor.loops." + entry.getKey() + ".engine";
                throw written.invalid(
                        at,
                        engine,
                        "loop '" + entry.getKey() + "' is routed to an engine that does not exist"
                                + hint(engine, beans),
                        "Set '" + at + "' to one of the engines: " + known + ", or declare it under 'parfor.engines."
                                + engine + "'.");
            }
        }
    }

    /** The type of an engine: its own, else the built-in engine's of that name, else null. */
    static @Nullable EngineType type(String name, EngineProperties engine) {
        return engine.getType() != null ? engine.getType() : EngineType.builtIn(name);
    }

    /** Why a name that is not an engine might have been meant as one. */
    private static String hint(String engine, @Nullable ListableBeanFactory beans) {
        if (beans != null && beans.containsBean(engine)) {
            Class<?> type = declaredType(beans, engine);
            return " (the application has a bean named '" + engine + "', but it is a "
                    + (type == null ? "bean of unknown type" : type.getName())
                    + ", not a dev.parfor.spi.Engine)";
        }
        return "hazelcast".equals(engine)
                ? " (the hazelcast engine exists when dev.parfor:parfor-hazelcast and com.hazelcast:hazelcast are on"
                        + " the class path)"
                : "";
    }

    /** The type a bean is declared as (HttpClient, not the JDK's hidden implementation), else its instance's. */
    static @Nullable Class<?> declaredType(ListableBeanFactory beans, String bean) {
        if (beans instanceof ConfigurableListableBeanFactory configurable
                && configurable.containsBeanDefinition(bean)) {
            Class<?> declared = configurable
                    .getMergedBeanDefinition(bean)
                    .getResolvableType()
                    .resolve();
            if (declared != null && declared != Object.class) {
                return declared;
            }
        }
        return beans.getType(bean);
    }

    private static void atLeastOne(String property, @Nullable Integer value, WrittenProperties written) {
        if (value != null && value < 1) {
            throw written.invalid(
                    property,
                    value,
                    "it must be at least 1",
                    "Set '" + property + "' to 1 or more, or remove it for the default.");
        }
    }

    private static void positive(String property, @Nullable Duration value, WrittenProperties written) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw written.invalid(
                    property,
                    value,
                    "it must be longer than zero",
                    "Set '" + property + "' to a positive duration such as 30s, or remove it.");
        }
    }
}
