package dev.parfor.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import java.io.Serial;
import java.io.Serializable;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;

/**
 * One chunk sent to the member that owns its key: the loop's id, where the chunk starts and its serialized inputs.
 * Never the body or the context; the member takes those from the loop's {@link LoopPayload}.
 */
final class ChunkTask implements Callable<ChunkReply>, HazelcastInstanceAware, Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final String loopId;
    private final long firstIndex;
    private final byte[] inputs;
    private final long taskTimeoutNanos;
    private transient @Nullable HazelcastInstance member;

    ChunkTask(String loopId, long firstIndex, byte[] inputs, long taskTimeoutNanos) {
        this.loopId = loopId;
        this.firstIndex = firstIndex;
        this.inputs = inputs;
        this.taskTimeoutNanos = taskTimeoutNanos;
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
