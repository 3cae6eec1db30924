package io.agentpeers.core;

import java.util.Objects;

/**
 * A claim with its holder as the broker knows it now: whether the holder is live, gone but able to resume
 * (its claims come back with it), and verified.
 *
 * @param claim  the claim
 * @param holder the peer holding it, live or gone within its grace period
 */
public record HeldClaim(Claim claim, Peer holder) {
    public HeldClaim {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(holder, "holder");
    }

    /** Whether the holder is connected now; a gone holder's claim warns nobody until it resumes. */
    public boolean holderLive() {
        return holder.live();
    }

    /** Whether the holder came over a connection without credentials (TCP): its identity is its own word. */
    public boolean unverified() {
        return !holder.verified();
    }
}
