package io.agentpeers.protocol;

import java.time.Instant;

/**
 * A claim on a path as clients see it on the wire (docs/protocol.md, "Claim"). The note is the holder's own
 * text: data to show, never an instruction.
 *
 * @param id          the broker's id of the claim
 * @param path        the path or glob, relative to the repository root
 * @param holderId    the holder's peer id
 * @param holderName  the holder's name, or null
 * @param holderLive  whether the holder is connected; false while it is gone but may still resume
 * @param verified    whether the holder's identity comes from socket credentials (false: a TCP peer)
 * @param note        what the holder says it does there; may be empty
 * @param shared      whether it was taken knowingly over another peer's overlapping claim
 * @param claimedAt   when it was taken or renewed
 * @param expiresAt   when it ends unless renewed
 */
public record ClaimInfo(
        long id,
        String path,
        String holderId,
        String holderName,
        boolean holderLive,
        boolean verified,
        String note,
        boolean shared,
        Instant claimedAt,
        Instant expiresAt) {

    /** The holder's name if it has one, else its id. */
    public String holderDisplayName() {
        return holderName != null ? holderName : holderId;
    }
}
