package dev.parfor.autoconfigure.metrics;

import dev.parfor.LoopInfo;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * One value per engine and loop name, made once and then found without allocating: two lookups of strings whose hash
 * codes are cached, instead of building a key or a meter id per event. Thread-safe.
 *
 * @param <T> the value, such as the meters of one loop
 */
final class PerLoop<T> {

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, T>> byEngine = new ConcurrentHashMap<>();
    private final BiFunction<String, String, T> factory;

    PerLoop(BiFunction<String, String, T> factory) {
        this.factory = factory;
    }

    T get(LoopInfo loop) {
        ConcurrentHashMap<String, T> byLoop = byEngine.get(loop.engine());
        if (byLoop == null) {
            byLoop = byEngine.computeIfAbsent(loop.engine(), engine -> new ConcurrentHashMap<>());
        }
        T value = byLoop.get(loop.name());
        if (value == null) {
            value = byLoop.computeIfAbsent(loop.name(), name -> factory.apply(loop.engine(), name));
        }
        return value;
    }
}
