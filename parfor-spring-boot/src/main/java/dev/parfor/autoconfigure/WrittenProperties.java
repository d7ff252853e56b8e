package dev.parfor.autoconfigure;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.Environment;

/**
 * Finds a property as the user wrote it: its value before conversion ({@code 100ms}, not {@code PT0.1S}) and where it
 * came from (file and line), for error reports.
 */
final class WrittenProperties {

    private final Iterable<ConfigurationPropertySource> sources;

    WrittenProperties(Iterable<ConfigurationPropertySource> sources) {
        this.sources = sources;
    }

    static WrittenProperties of(@Nullable Environment environment) {
        return new WrittenProperties(
                environment == null ? java.util.List.of() : ConfigurationPropertySources.get(environment));
    }

    /** The property as written, or null when no source sets it (a default, or a name that is not a valid key). */
    @Nullable
    ConfigurationProperty find(String property) {
        ConfigurationPropertyName name = ConfigurationPropertyName.ofIfValid(property);
        if (name == null) {
            return null;
        }
        for (ConfigurationPropertySource source : sources) {
            ConfigurationProperty found = source.getConfigurationProperty(name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The value as written when a source sets it ({@code found}), else the bound value as a user would write it. */
    static String value(@Nullable ConfigurationProperty found, @Nullable Object bound) {
        return found != null ? String.valueOf(found.getValue()) : render(bound);
    }

    /** Where a property was set, or null when unknown. */
    static @Nullable String origin(@Nullable ConfigurationProperty found) {
        return found == null || found.getOrigin() == null
                ? null
                : found.getOrigin().toString();
    }

    static String render(@Nullable Object value) {
        if (value == null) {
            return "(not set)";
        }
        if (value instanceof Duration duration) {
            return DurationStyle.SIMPLE.print(duration);
        }
        if (value instanceof Enum<?> constant) {
            return constant.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        return value.toString();
    }

    /**
     * A parfor property error whose value is shown as written and with its origin.
     *
     * @param property the property's full name
     * @param bound the bound value, used when no source sets the property
     */
    InvalidParforPropertyException invalid(String property, @Nullable Object bound, String problem, String action) {
        ConfigurationProperty found = find(property);
        return new InvalidParforPropertyException(property, value(found, bound), origin(found), problem, action);
    }
}
