package dev.parfor.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;

/**
 * Makes the one binding of {@link ParforProperties} also its one validation: a parfor property that cannot be
 * converted (a number, duration or engine type that is not one) and every check of {@link ParforChecks} end in an
 * {@link InvalidParforPropertyException}, reported by {@link ParforFailureAnalyzer} with the value as written and its
 * origin. Other prefixes are left to Spring Boot.
 */
final class ParforBindHandlerAdvisor implements ConfigurationPropertiesBindHandlerAdvisor {

    static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of(ParforChecks.PREFIX);

    @Override
    public BindHandler apply(BindHandler bindHandler) {
        return new Handler(bindHandler);
    }

    private static final class Handler extends AbstractBindHandler {

        Handler(BindHandler parent) {
            super(parent);
        }

        @Override
        public @Nullable Object onFailure(
                ConfigurationPropertyName name, Bindable<?> target, BindContext context, Exception error)
                throws Exception {
            if (!PREFIX.equals(name) && !PREFIX.isAncestorOf(name)) {
                return super.onFailure(name, target, context, error);
            }
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof InvalidParforPropertyException) {
                    throw error; // reported already, further down
                }
            }
            ConfigurationProperty property = context.getConfigurationProperty();
            if (property == null || !name.equals(property.getName())) {
                return super.onFailure(name, target, context, error);
            }
            Class<?> type = target.getType().resolve(Object.class);
            String key = name.toString();
            throw new InvalidParforPropertyException(
                    key,
                    WrittenProperties.value(property, null),
                    WrittenProperties.origin(property),
                    problem(type),
                    action(key, type));
        }

        @Override
        public void onFinish(
                ConfigurationPropertyName name, Bindable<?> target, BindContext context, @Nullable Object result)
                throws Exception {
            super.onFinish(name, target, context, result);
            if (context.getDepth() == 0 && PREFIX.equals(name)) {
                Object bound = result != null
                        ? result
                        : target.getValue() != null ? target.getValue().get() : null;
                if (bound instanceof ParforProperties properties) {
                    WrittenProperties written = new WrittenProperties(context.getSources());
                    ParforChecks.checkKeys(context.getSources());
                    ParforChecks.checkValues(properties, written);
                }
            }
        }
    }

    private static String problem(Class<?> type) {
        if (type == EngineType.class) {
            return "it is not an engine type";
        }
        if (type.isEnum()) {
            return "it is not one of the accepted values";
        }
        if (type == Duration.class) {
            return "it is not a duration";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "it is not a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "it is neither true nor false";
        }
        return "it cannot be read as a " + type.getSimpleName();
    }

    private static String action(String key, Class<?> type) {
        if (type.isEnum()) {
            // As a user writes them: fork-join, not FORK_JOIN (an engine type's id is the same text).
            String accepted = Arrays.stream(type.getEnumConstants())
                    .map(WrittenProperties::render)
                    .collect(Collectors.joining(", "));
            return "Set '" + key + "' to one of: " + accepted + ".";
        }
        if (type == Duration.class) {
            return "Set '" + key + "' to a duration such as 500ms, 10s or 5m.";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "Set '" + key + "' to a whole number such as 4.";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "Set '" + key + "' to true or false.";
        }
        return "Set '" + key + "' to a valid " + type.getSimpleName() + ".";
    }
}
