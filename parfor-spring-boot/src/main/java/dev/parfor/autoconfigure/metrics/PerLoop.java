package dev.parfor.autoconfigure.metrics;

import dev.parfor.LoopInfo;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * One value per engine and loop name, made once and then found without allocating: the value found last when the loop
 * is the same again (compared by the identity of its engine and loop name strings), else two lookups of strings whose
 * hash codes are cached, instead of building a key or a meter id per event. Thread-safe.
 *
 * @param <T> the value, such as the meters of one loop
 */
final class PerLoop<T> {

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, T>> byEngine = new ConcurrentHashMap<>();
    private final BiFunction<String, String, T> factory;

    // The value found last, read and written without a fence: a thread that sees a stale one looks the loop up.
    private @Nullable Last<T> last;

    /** A value with the engine and loop names it was found for; immutable, so safe to read through a race. */
    private record Last<T>(String engine, String loop, T value) {}

    PerLoop(BiFunction<String, String, T> factory) {
        this.factory = factory;
    }

    T get(LoopInfo loop) {
        // The same loop again (the same name and engine strings, as parfor passes them): no lookup at all.
        Last<T> last = this.last;
        if (last != null && last.engine == loop.engine() && last.loop == loop.name()) {
            return last.value;
        }
        T value = find(loop);
        this.last = new Last<>(loop.engine(), loop.name(), value);
        return value;
    }

    private T find(LoopInfo loop) {
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
