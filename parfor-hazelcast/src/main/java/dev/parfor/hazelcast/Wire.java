package dev.parfor.hazelcast;

import com.hazelcast.client.Client;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.spi.ChunkOutcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Java serialization of what parfor sends between members, with the member's deserialization allow-list applied
 * when reading: the same rule Hazelcast applies to its own Java deserialization (its configured
 * {@link JavaSerializationFilterConfig}), so that parfor never reads a class Hazelcast itself would refuse.
 */
final class Wire {

    /** Hazelcast's built-in allow-list, used when a filter configuration leaves its defaults enabled. */
    private static final ClassFilter HAZELCAST_DEFAULTS = new ClassFilter().addPrefixes("com.hazelcast.", "java", "[");

    /** Stands in for an input that could not be serialized; the member fails that input with the message. */
    record Unsendable(String message) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    private final @Nullable JavaSerializationFilterConfig filter;
    private final ClassLoader loader;
    private final String where;

    Wire(@Nullable JavaSerializationFilterConfig filter, @Nullable ClassLoader loader) {
        this(filter, loader, "this Hazelcast member");
    }

    Wire(@Nullable JavaSerializationFilterConfig filter, @Nullable ClassLoader loader, String where) {
        this.filter = filter;
        this.loader = loader != null ? loader : Wire.class.getClassLoader();
        this.where = where;
    }

    /**
     * The wire of an instance: a member applies its own configured allow-list; a client applies the allow-list of
     * its client configuration, or, when that has none, parfor's default list plus {@code allowedPackages}, so that
     * a client never reads results without an allow-list.
     */
    static Wire of(HazelcastInstance instance, Collection<String> allowedPackages) {
        if (isClient(instance)) {
            JavaSerializationFilterConfig filter = null;
            ClassLoader loader = null;
            if (instance instanceof HazelcastClientProxy proxy) {
                ClientConfig config = proxy.getClientConfig();
                filter = config.getSerializationConfig().getJavaSerializationFilterConfig();
                loader = config.getClassLoader();
            }
            if (filter == null) {
                filter = ParforHazelcast.serializationFilter(allowedPackages);
            }
            return new Wire(
                    filter,
                    loader != null ? loader : Thread.currentThread().getContextClassLoader(),
                    "Hazelcast client '" + instance.getName() + "'");
        }
        Config config = instance.getConfig();
        ClassLoader loader = config.getClassLoader();
        if (loader == null) {
            loader = Thread.currentThread().getContextClassLoader();
        }
        return new Wire(config.getSerializationConfig().getJavaSerializationFilterConfig(), loader, describe(instance));
    }

    /** The member for messages: its address and UUID. */
    static String describe(HazelcastInstance member) {
        try {
            Member local = member.getCluster().getLocalMember();
            return "Hazelcast member " + MemberSide.address(local.getAddress()) + " (" + local.getUuid() + ")";
        } catch (RuntimeException e) {
            return "Hazelcast member '" + member.getName() + "'";
        }
    }

    /** Whether the instance is a client of a cluster rather than a member (full or lite). */
    static boolean isClient(HazelcastInstance instance) {
        if (instance instanceof HazelcastClientProxy) {
            return true;
        }
        try {
            return instance.getLocalEndpoint() instanceof Client;
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Writing

    static byte[] write(@Nullable Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    /**
     * A value serialized on its own inside a chunk's inputs or outcome, so that one the reader cannot deserialize
     * (refused by its allow-list, or missing from its class path) fails only its own index.
     *
     * @param offset the value's position in the chunk
     * @param bytes the value, serialized
     */
    record Packed(int offset, byte[] bytes) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;
    }

    /** Stands in, on the reader, for a packed input it could not deserialize; never serialized. */
    record Refused(Exception error) {}

    /**
     * Values of the basic {@code java.lang} types, which every allow-list lets through, travel as they are; any
     * other value is packed.
     */
    static boolean plain(@Nullable Object value) {
        return value == null
                || value instanceof String
                || value instanceof Integer
                || value instanceof Long
                || value instanceof Double
                || value instanceof Boolean
                || value instanceof Float
                || value instanceof Short
                || value instanceof Byte
                || value instanceof Character;
    }

    /** The value as it travels in a chunk: itself when plain, otherwise a {@link Packed}. */
    static @Nullable Object pack(int offset, @Nullable Object value) throws IOException {
        return plain(value) ? value : new Packed(offset, write(value));
    }

    /**
     * The inputs of a chunk, each packed on its own; an input that does not serialize is replaced by an
     * {@link Unsendable}, so it fails at its own index on the member while the others run.
     */
    static byte[] writeInputs(List<?> inputs, long firstIndex) {
        ArrayList<@Nullable Object> list = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Object input = inputs.get(i);
            try {
                list.add(pack(i, input));
            } catch (IOException | RuntimeException error) {
                list.add(new Unsendable("input #" + (firstIndex + i) + " (" + describe(input)
                        + ") could not be sent to the cluster: " + error
                        + "; the hazelcast engine needs serializable inputs, such as records or classes"
                        + " implementing java.io.Serializable with serializable fields"));
            }
        }
        try {
            return write(list);
        } catch (IOException | RuntimeException again) {
            throw new IllegalStateException("inputs of a chunk could not be serialized: " + again, again);
        }
    }

    /**
     * The outcome of a chunk, on the member, whose values are already packed. An error that cannot travel becomes
     * a {@link RemoteTaskException}.
     */
    byte[] writeOutcome(ChunkOutcome outcome) throws IOException {
        for (int i = 0; i < outcome.ran(); i++) {
            Throwable error = outcome.error(i);
            if (error != null && !travels(error)) {
                outcome = outcome.withError(i, RemoteTaskException.of(error));
            }
        }
        return write(outcome);
    }

    /** Whether an error serializes and this member's allow-list lets it be read back. */
    private boolean travels(Throwable error) {
        try {
            read(write(error));
            return true;
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading

    @Nullable
    Object read(byte[] bytes) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new FilteringInput(new ByteArrayInputStream(bytes), null)) {
            return in.readObject();
        }
    }

    /**
     * Reads a chunk's inputs or outcome, unpacking each {@link Packed} value on its own; a value that cannot be read
     * is replaced by what {@code refused} returns for its offset and error.
     */
    @Nullable
    Object readUnpacking(byte[] bytes, BiFunction<Integer, Exception, @Nullable Object> refused)
            throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new FilteringInput(new ByteArrayInputStream(bytes), refused)) {
            return in.readObject();
        }
    }

    /** Whether this member's allow-list lets a class be deserialized. */
    boolean allows(String className) {
        JavaSerializationFilterConfig config = filter;
        if (config == null) {
            return true;
        }
        if (config.getBlacklist().isListed(className)) {
            return false;
        }
        boolean defaults = !config.isDefaultsDisabled();
        ClassFilter allowed = config.getWhitelist();
        if (!defaults && allowed.isEmpty()) {
            return true;
        }
        return allowed.isListed(className) || (defaults && HAZELCAST_DEFAULTS.isListed(className));
    }

    static String describe(@Nullable Object value) {
        if (value == null) {
            return "null";
        }
        String text;
        try {
            text = String.valueOf(value);
        } catch (RuntimeException e) {
            text = value.getClass().getName();
        }
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }

    /** Resolves classes through the member's class loader, refusing those outside the allow-list. */
    private final class FilteringInput extends ObjectInputStream {
        private final @Nullable BiFunction<Integer, Exception, @Nullable Object> refused;

        FilteringInput(InputStream in, @Nullable BiFunction<Integer, Exception, @Nullable Object> refused)
                throws IOException {
            super(in);
            this.refused = refused;
            if (refused != null) {
                enableResolveObject(true);
            }
        }

        @Override
        protected @Nullable Object resolveObject(@Nullable Object object) throws IOException {
            BiFunction<Integer, Exception, @Nullable Object> onRefused = refused;
            if (onRefused == null || !(object instanceof Packed packed)) {
                return object;
            }
            try {
                return Wire.this.read(packed.bytes());
            } catch (IOException | ClassNotFoundException | RuntimeException e) {
                return onRefused.apply(packed.offset(), e);
            }
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
            if (!allows(name)) {
                throw new InvalidClassException(
                        name,
                        "refused by the deserialization allow-list of " + where + "; add its package to"
                                + " 'parfor.hazelcast.allowed-packages' (or to the allowedPackages of"
                                + " ParforHazelcast.secureConfig / serializationFilter) on every member");
            }
            try {
                return Class.forName(name, false, loader);
            } catch (ClassNotFoundException e) {
                try {
                    return super.resolveClass(desc);
                } catch (ClassNotFoundException again) {
                    throw new ClassNotFoundException(
                            name + " is not on the class path of " + where + "; put the application's classes (the"
                                    + " loop's body, inputs, context and results) on every member's class path, or"
                                    + " run the same application on every member",
                            again);
                }
            }
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException, ClassNotFoundException {
            for (String name : interfaces) {
                if (!allows(name)) {
                    throw new InvalidClassException(
                            name, "proxy interface refused by the deserialization allow-list of " + where);
                }
            }
            return super.resolveProxyClass(interfaces);
        }
    }
}
