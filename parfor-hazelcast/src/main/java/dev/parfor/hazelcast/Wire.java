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
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Java serialization of what parfor sends between members, with the member's deserialization allow-list applied
 * when reading: the same rule Hazelcast applies to its own Java deserialization (its configured
 * {@link JavaSerializationFilterConfig}), so that parfor never reads a class Hazelcast itself would refuse.
 */
final class Wire {

    /** Hazelcast's built-in allow-list, used when a filter configuration leaves its defaults enabled. */
    private static final ClassFilter HAZELCAST_DEFAULTS = new ClassFilter().addPrefixes("com.hazelcast.", "java", "[");

    /**
     * Stands in for an input that could not be serialized; the member fails that input with the message.
     *
     * @param message why the input could not be sent
     */
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

    /** Stands in, on the reader, for an input it could not deserialize; never serialized. */
    record Refused(Exception error) {}

    // A chunk's inputs and outcome are written in a compact form: the basic java.lang values (which every allow-list
    // lets through) as themselves, every other value Java-serialized on its own. A Java serialization stream of the
    // whole chunk cost about a microsecond per Integer on each side; and a value its reader refuses now fails only
    // its own index.
    private static final byte NULL = 0;
    private static final byte INT = 1;
    private static final byte LONG = 2;
    private static final byte STRING = 3;
    private static final byte DOUBLE = 4;
    private static final byte BOOLEAN = 5;
    private static final byte SERIALIZED = 6;
    private static final byte UNSENDABLE = 7;

    /** Handles a value the reader could not deserialize: returns what stands in for it. */
    interface OnRefused {
        @Nullable
        Object refused(int offset, Exception error);
    }

    private static void writeValue(DataOutputStream out, @Nullable Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (value instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (value instanceof String text) {
            out.writeByte(STRING);
            writeBytes(out, text.getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof Double d) {
            out.writeByte(DOUBLE);
            out.writeDouble(d);
        } else if (value instanceof Boolean b) {
            out.writeByte(BOOLEAN);
            out.writeBoolean(b);
        } else if (value instanceof Unsendable unsendable) {
            out.writeByte(UNSENDABLE);
            writeBytes(out, unsendable.message().getBytes(StandardCharsets.UTF_8));
        } else {
            byte[] bytes = write(value); // before the tag: a value that does not serialize writes nothing
            out.writeByte(SERIALIZED);
            writeBytes(out, bytes);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }

    private @Nullable Object readValue(DataInputStream in, int offset, OnRefused onRefused) throws IOException {
        byte tag = in.readByte();
        return switch (tag) {
            case NULL -> null;
            case INT -> in.readInt();
            case LONG -> in.readLong();
            case STRING -> new String(readBytes(in), StandardCharsets.UTF_8);
            case DOUBLE -> in.readDouble();
            case BOOLEAN -> in.readBoolean();
            case UNSENDABLE -> new Unsendable(new String(readBytes(in), StandardCharsets.UTF_8));
            case SERIALIZED -> {
                byte[] bytes = readBytes(in);
                try {
                    yield read(bytes);
                } catch (IOException | ClassNotFoundException | RuntimeException e) {
                    yield onRefused.refused(offset, e);
                }
            }
            default -> throw new IOException("unknown value tag " + tag + " in a parfor chunk");
        };
    }

    /**
     * The inputs of a chunk; an input that does not serialize is replaced by an {@link Unsendable}, so it fails at
     * its own index on the member while the others run.
     */
    static byte[] writeInputs(List<?> inputs, long firstIndex) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 8 * inputs.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(inputs.size());
            for (int i = 0; i < inputs.size(); i++) {
                Object input = inputs.get(i);
                try {
                    writeValue(out, input);
                } catch (IOException | RuntimeException error) {
                    writeValue(
                            out,
                            new Unsendable("input #" + (firstIndex + i) + " (" + describe(input)
                                    + ") could not be sent to the cluster: " + error
                                    + "; the hazelcast engine needs serializable inputs, such as records or classes"
                                    + " implementing java.io.Serializable with serializable fields"));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("inputs of a chunk could not be written: " + e, e);
        }
        return bytes.toByteArray();
    }

    /** The inputs of a chunk, on the member; an input it cannot deserialize is read as a {@link Refused}. */
    List<@Nullable Object> readInputs(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int size = in.readInt();
            List<@Nullable Object> inputs = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                inputs.add(readValue(in, i, (offset, error) -> new Refused(error)));
            }
            return inputs;
        }
    }

    /**
     * The outcome of a chunk, on the member. A result that cannot be sent back becomes a failure of its input; an
     * error that cannot travel becomes a {@link RemoteTaskException}.
     */
    byte[] writeOutcome(ChunkOutcome outcome, long firstIndex) throws IOException {
        int ran = outcome.ran();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 8 * ran);
        @Nullable Throwable[] errors = new Throwable[ran];
        boolean failed = false;
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(ran);
            out.writeLong(outcome.nanos());
            for (int i = 0; i < ran; i++) {
                Throwable error = outcome.error(i);
                Object value = error == null ? outcome.value(i) : null;
                try {
                    writeValue(out, value);
                } catch (IOException | RuntimeException e) {
                    writeValue(out, null);
                    error = new NotSerializableException("the result of input #" + (firstIndex + i) + " ("
                            + Objects.requireNonNull(value).getClass().getName() + ") could not be sent back: " + e
                            + "; the hazelcast engine needs serializable results, such as records or classes"
                            + " implementing java.io.Serializable with serializable fields");
                }
                errors[i] = error;
                failed |= error != null;
            }
            out.writeBoolean(failed);
            if (failed) {
                for (Throwable error : errors) {
                    if (error == null) {
                        out.writeBoolean(false);
                    } else {
                        out.writeBoolean(true);
                        writeBytes(out, write(travels(error) ? error : RemoteTaskException.of(error)));
                    }
                }
            }
        }
        return bytes.toByteArray();
    }

    /**
     * The outcome of a chunk, on the caller; a result or error it cannot deserialize becomes the failure of its
     * input, made by {@code refusal} from its offset and the error.
     */
    ChunkOutcome readOutcome(byte[] bytes, java.util.function.BiFunction<Integer, Exception, Throwable> refusal)
            throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int ran = in.readInt();
            long nanos = in.readLong();
            @Nullable Object[] values = new Object[ran];
            @Nullable Throwable[] errors = new Throwable[ran];
            boolean failed = false;
            for (int i = 0; i < ran; i++) {
                int offset = i;
                values[i] = readValue(in, i, (at, error) -> {
                    errors[offset] = refusal.apply(at, error);
                    return null;
                });
                failed |= errors[i] != null;
            }
            if (in.readBoolean()) {
                for (int i = 0; i < ran; i++) {
                    if (in.readBoolean()) {
                        byte[] error = readBytes(in);
                        try {
                            errors[i] = (Throwable) read(error);
                        } catch (IOException | ClassNotFoundException | RuntimeException e) {
                            errors[i] = refusal.apply(i, e);
                        }
                        failed |= errors[i] != null;
                    }
                }
            }
            return ChunkOutcome.of(values, failed ? errors : null, ran, nanos);
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
