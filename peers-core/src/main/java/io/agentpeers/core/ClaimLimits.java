package io.agentpeers.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits of claims on paths, all configurable.
 *
 * @param perPeer      most claims one peer holds at once (32)
 * @param perCall      most paths or globs in one claim or release (16)
 * @param defaultTtl   how long a claim runs when the caller names no TTL (60 minutes)
 * @param maxTtl       the longest TTL a claim may ask for (24 hours)
 * @param maxNoteBytes the longest note, in UTF-8 bytes (256)
 */
public record ClaimLimits(int perPeer, int perCall, Duration defaultTtl, Duration maxTtl, int maxNoteBytes) {

    /** @throws InvalidArgumentException when a count is below 1, a TTL not positive, or the default above the most */
    public ClaimLimits {
        Objects.requireNonNull(defaultTtl, "defaultTtl");
        Objects.requireNonNull(maxTtl, "maxTtl");
        if (perPeer < 1
                || perCall < 1
                || maxNoteBytes < 0
                || defaultTtl.isNegative()
                || defaultTtl.isZero()
                || defaultTtl.compareTo(maxTtl) > 0) {
            throw new InvalidArgumentException("claim limits must be positive: per_peer=" + perPeer + " per_call="
                    + perCall + " default_ttl=" + defaultTtl + " max_ttl=" + maxTtl + " max_note_bytes="
                    + maxNoteBytes);
        }
    }

    /** The documented limits: the values in parentheses above. */
    public static ClaimLimits defaults() {
        return new ClaimLimits(32, 16, Duration.ofMinutes(60), Duration.ofHours(24), 256);
    }
}
