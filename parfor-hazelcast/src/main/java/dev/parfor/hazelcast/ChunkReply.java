package dev.parfor.hazelcast;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * A member's answer for one chunk: the UUID of the member that ran it and the serialized
 * {@link dev.parfor.spi.ChunkOutcome}. {@link DataSerializable} for the same reason as {@link ChunkTask}.
 */
final class ChunkReply implements DataSerializable {

    private String member = "";
    private byte[] outcome = new byte[0];

    /** For Hazelcast, which fills the fields with {@link #readData}. */
    public ChunkReply() {}

    ChunkReply(String member, byte[] outcome) {
        this.member = member;
        this.outcome = outcome;
    }

    /** The UUID of the member that ran the chunk. */
    String member() {
        return member;
    }

    /** The serialized outcome. */
    byte[] outcome() {
        return outcome;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeString(member);
        out.writeByteArray(outcome);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        String uuid = in.readString();
        member = uuid == null ? "" : uuid;
        byte[] bytes = in.readByteArray();
        outcome = bytes == null ? new byte[0] : bytes;
    }
}
