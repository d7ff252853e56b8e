package dev.parfor.hazelcast;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;

/**
 * What the cluster stores once per loop, under the loop's id: the body and the context, each already serialized, so
 * that a member reads and deserializes them once for the whole loop and no task carries them.
 *
 * @param loopName the loop's name, for error messages
 * @param task the serialized loop body
 * @param context the serialized context ({@code null} serialized when the loop has none)
 * @param mdc the caller's SLF4J MDC when the loop started, restored around each chunk on the member
 */
record LoopPayload(String loopName, byte[] task, byte[] context, Map<String, String> mdc) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
