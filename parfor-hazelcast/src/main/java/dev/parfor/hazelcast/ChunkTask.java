package dev.parfor.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * One chunk sent to the member that owns its key: the loop's id, where the chunk starts and its serialized inputs.
 * Never the body or the context; the member takes those from the loop's {@link LoopPayload}.
 *
 * <p>{@link DataSerializable} rather than {@code Serializable}: a few fields written directly instead of a Java
 * serialization stream with class descriptors for every chunk, which made up much of a small chunk's cost.
 */
final class ChunkTask implements Callable<ChunkReply>, HazelcastInstanceAware, DataSerializable {

    private String loopId = "";
    private long firstIndex;
    private byte[] inputs = new byte[0];
    private long taskTimeoutNanos;
    private transient @Nullable HazelcastInstance member;

    /** For Hazelcast, which fills the fields with {@link #readData}. */
    public ChunkTask() {}

    ChunkTask(String loopId, long firstIndex, byte[] inputs, long taskTimeoutNanos) {
        this.loopId = loopId;
        this.firstIndex = firstIndex;
        this.inputs = inputs;
        this.taskTimeoutNanos = taskTimeoutNanos;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(loopId);
        out.writeLong(firstIndex);
        out.writeByteArray(inputs);
        out.writeLong(taskTimeoutNanos);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        String id = in.readString();
        loopId = id == null ? "" : id;
        firstIndex = in.readLong();
        byte[] bytes = in.readByteArray();
        inputs = bytes == null ? new byte[0] : bytes;
        taskTimeoutNanos = in.readLong();
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        this.member = instance;
    }

    @Override
    public ChunkReply call() throws Exception {
        HazelcastInstance here = member;
        if (here == null) {
            throw new IllegalStateException("parfor chunk of loop " + loopId + " ran outside a Hazelcast member");
        }
        return MemberSide.of(here).run(loopId, firstIndex, inputs, taskTimeoutNanos);
    }

    @Override
    public String toString() {
        return "parfor chunk " + loopId + "#" + firstIndex;
    }
}
