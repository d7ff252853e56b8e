package dev.parfor.hazelcast;

import java.io.Serial;
import java.io.Serializable;

/**
 * What the cluster stores once per loop, under the loop's id: the body and the context, each already serialized, so
 * that a member reads and deserializes them once for the whole loop and no task carries them.
 *
 * @param loopName the loop's name, for error messages
 * @param task the serialized loop body
 * @param context the serialized context ({@code null} serialized when the loop has none)
 */
record LoopPayload(String loopName, byte[] task, byte[] context) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
}
