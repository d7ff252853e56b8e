package dev.parfor.hazelcast;

import java.io.Serial;

/**
 * A member found no payload for a loop that sent it a chunk: the entry was lost (for example with every member that
 * held a copy) or expired. The caller stores the payload again and resubmits the chunk, unless the loop has ended.
 */
final class PayloadMissingException extends IllegalStateException {

    @Serial
    private static final long serialVersionUID = 1L;

    PayloadMissingException(String loopId) {
        super("parfor loop " + loopId + " is not in the cluster: it has ended, or its entry in the IMap '"
                + MemberSide.PAYLOADS + "' was lost or expired");
    }
}
