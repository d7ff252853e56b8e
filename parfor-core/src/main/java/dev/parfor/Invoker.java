package dev.parfor;

import java.io.Serial;
import java.io.Serializable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Calls one public method by name with arguments given by parameter name or position. Every input is turned into
 * an argument array, and checked, before the loop starts.
 */
final class Invoker implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final Object target;
    private final transient Method method;
    private final String methodName;

    private Invoker(Object target, Method method) {
        this.target = target;
        this.method = method;
        this.methodName = method.getName();
    }

    static Invoker of(@Nullable Object target, @Nullable String name) {
        Checks.notNull(target, "target");
        Checks.name(name, "method");
        List<Method> candidates = new ArrayList<>();
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(name) && !Modifier.isStatic(m.getModifiers()) && !m.isBridge()) {
                candidates.add(m);
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("'method' names no public instance method of "
                    + target.getClass().getName() + ": '" + name + "'; make it public or check the spelling");
        }
        if (candidates.size() > 1) {
            throw new IllegalArgumentException(
                    "'method' is ambiguous: " + target.getClass().getName() + " has "
                            + candidates.size() + " public methods named '" + name
                            + "'; give the one parfor should call a distinct name");
        }
        Method method = candidates.get(0);
        method.setAccessible(true);
        return new Invoker(target, method);
    }

    /** The argument array for one input, or an IllegalArgumentException that names the input and the argument. */
    @Nullable
    Object[] arguments(long index, @Nullable Object input, Map<String, ? extends @Nullable Object> context) {
        Parameter[] parameters = method.getParameters();
        Object[] arguments = new Object[parameters.length];
        boolean[] given = new boolean[parameters.length];
        if (input instanceof List<?> positional) {
            if (positional.size() > parameters.length) {
                throw bad(
                        index,
                        "has " + positional.size() + " positional arguments but " + signature() + " takes "
                                + parameters.length);
            }
            for (int i = 0; i < positional.size(); i++) {
                arguments[i] = positional.get(i);
                given[i] = true;
            }
        } else if (input instanceof Map<?, ?> named) {
            requireNames(index);
            Set<Object> unknown = new HashSet<>(named.keySet());
            for (int i = 0; i < parameters.length; i++) {
                if (named.containsKey(parameters[i].getName())) {
                    arguments[i] = named.get(parameters[i].getName());
                    given[i] = true;
                    unknown.remove(parameters[i].getName());
                }
            }
            if (!unknown.isEmpty()) {
                throw bad(index, "has unknown argument(s) " + unknown + "; it takes " + names(parameters));
            }
        } else {
            throw bad(
                    index,
                    "is a " + (input == null ? "null" : input.getClass().getName())
                            + "; each input must be a Map of arguments by name or a List of positional arguments");
        }
        for (int i = 0; i < parameters.length; i++) {
            if (!given[i]) {
                if (!context.isEmpty()) {
                    requireNames(index);
                }
                if (context.containsKey(parameters[i].getName())) {
                    arguments[i] = context.get(parameters[i].getName());
                } else {
                    throw bad(
                            index,
                            "misses argument '" + parameters[i].getName() + "' of " + signature()
                                    + "; pass it in the input or in the context map");
                }
            }
            Class<?> type = box(parameters[i].getType());
            Object value = arguments[i];
            if (value == null ? parameters[i].getType().isPrimitive() : !type.isInstance(value)) {
                throw bad(
                        index,
                        "gives argument '" + parameters[i].getName() + "' as "
                                + (value == null ? "null" : value.getClass().getName() + " " + Texts.shortForm(value))
                                + " but " + signature() + " needs a "
                                + parameters[i].getType().getName());
            }
        }
        return arguments;
    }

    @Nullable
    Object call(@Nullable Object[] arguments) throws Exception {
        try {
            return method().invoke(target, arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private Method method() throws NoSuchMethodException {
        if (method != null) {
            return method;
        }
        // Deserialized on another member: find the method again.
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(methodName) && !m.isBridge()) {
                return m;
            }
        }
        throw new NoSuchMethodException(target.getClass().getName() + "." + methodName);
    }

    private void requireNames(long index) {
        if (!method.getParameters()[0].isNamePresent()) {
            throw bad(
                    index,
                    "uses parameter names, but " + target.getClass().getName()
                            + " was compiled without -parameters; add -parameters to javac or pass a List of positional"
                            + " arguments");
        }
    }

    private IllegalArgumentException bad(long index, String what) {
        return new IllegalArgumentException("input #" + index + " for " + signature() + " " + what);
    }

    private String signature() {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName() + names(method.getParameters());
    }

    private static String names(Parameter[] parameters) {
        return Arrays.stream(parameters)
                .map(p -> p.getType().getSimpleName() + " " + p.getName())
                .toList()
                .toString()
                .replace('[', '(')
                .replace(']', ')');
    }

    private static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        return switch (type.getName()) {
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "double" -> Double.class;
            case "float" -> Float.class;
            case "boolean" -> Boolean.class;
            case "char" -> Character.class;
            case "byte" -> Byte.class;
            case "short" -> Short.class;
            default -> Void.class;
        };
    }
}
