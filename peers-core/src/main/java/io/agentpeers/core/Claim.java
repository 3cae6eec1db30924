package io.agentpeers.core;

import java.time.Instant;
import java.util.Objects;

/**
 * An advisory lease of a peer on a path or glob of one repository: others are told, nobody is stopped.
 *
 * @param id        the store's id, greater than every earlier one; 0 before it is stored
 * @param holder    the peer that claimed it
 * @param repoKey   the repository it is scoped to ({@link Peer#repoKey()}: the same for every worktree)
 * @param pattern   the path or glob, normalised relative to the repository root ({@link ClaimPattern})
 * @param note      what the holder says it is doing there; text of a peer, shown as data; may be empty
 * @param shared    whether it was taken although it overlaps another peer's claim, which the holder accepted
 * @param claimedAt when it was taken or last renewed
 * @param expiresAt when it ends unless renewed
 */
public record Claim(
        long id,
        PeerId holder,
        String repoKey,
        String pattern,
        String note,
        boolean shared,
        Instant claimedAt,
        Instant expiresAt) {

    public Claim {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(repoKey, "repoKey");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(claimedAt, "claimedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        note = note == null ? "" : note;
    }

    /** This claim with the id the store gave it. */
    public Claim withId(long newId) {
        return new Claim(newId, holder, repoKey, pattern, note, shared, claimedAt, expiresAt);
    }

    /** Its pattern, parsed. */
    public ClaimPattern parsed() {
        return ClaimPattern.stored(pattern);
    }

    /** Whether it still runs at {@code now}. */
    public boolean activeAt(Instant now) {
        return expiresAt.isAfter(now);
    }
}
