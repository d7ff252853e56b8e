package dev.parfor.hazelcast;

import com.hazelcast.client.Client;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.impl.clientside.HazelcastClientProxy;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.core.HazelcastInstance;
import dev.parfor.Chunk;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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

    /** Whether {@code value} serializes, without keeping the bytes. */
    static @Nullable Exception serializationError(@Nullable Object value) {
        try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
            out.writeObject(value);
            return null;
        } catch (IOException | RuntimeException e) {
            return e;
        }
    }

    /**
     * The inputs of a chunk; an input that does not serialize is replaced by an {@link Unsendable}, so it fails at
     * its own index on the member while the others run.
     */
    static byte[] writeInputs(List<?> inputs, long firstIndex) {
        ArrayList<@Nullable Object> list = new ArrayList<>(inputs);
        try {
            return write(list);
        } catch (IOException | RuntimeException whole) {
            for (int i = 0; i < list.size(); i++) {
                Object input = list.get(i);
                Exception error = serializationError(input);
                if (error != null) {
                    list.set(
                            i,
                            new Unsendable("input #" + (firstIndex + i) + " (" + describe(input)
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
    }

    /**
     * The outcome of a chunk, on the member. An error that cannot travel becomes a {@link RemoteTaskException}; a
     * result that cannot travel becomes a failure of its input.
     */
    byte[] writeOutcome(Chunk.Outcome outcome, long firstIndex) throws IOException {
        for (int i = 0; i < outcome.ran(); i++) {
            Throwable error = outcome.error(i);
            if (error != null && !travels(error)) {
                outcome = outcome.withError(i, RemoteTaskException.of(error));
            }
        }
        try {
            return write(outcome);
        } catch (IOException | RuntimeException whole) {
            for (int i = 0; i < outcome.ran(); i++) {
                Object value = outcome.value(i);
                if (outcome.error(i) == null && value != null) {
                    Exception error = serializationError(value);
                    if (error != null) {
                        outcome = outcome.withError(
                                i,
                                new NotSerializableException("the result of input #" + (firstIndex + i) + " ("
                                        + value.getClass().getName() + ") could not be sent back: " + error
                                        + "; the hazelcast engine needs serializable results, such as records or"
                                        + " classes implementing java.io.Serializable with serializable fields"));
                    }
                }
            }
            return write(outcome);
        }
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
        try (ObjectInputStream in = new FilteringInput(new ByteArrayInputStream(bytes))) {
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
        FilteringInput(InputStream in) throws IOException {
            super(in);
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
