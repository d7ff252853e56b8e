package dev.parfor.hazelcast;

import java.io.Serial;
import java.io.Serializable;

/**
 * A member's answer for one chunk.
 *
 * @param member the UUID of the member that ran it
 * @param outcome the serialized {@link dev.parfor.spi.ChunkOutcome}
 */
record ChunkReply(String member, byte[] outcome) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
