package io.agentpeers.protocol;

import java.util.List;

/**
 * What a {@code claim_paths} did.
 *
 * @param root      the repository root the paths were taken from
 * @param taken     the claims now held (new or renewed); empty when a conflict stopped them
 * @param conflicts other live peers' claims that overlap what was asked for
 */
public record ClaimResult(String root, List<ClaimInfo> taken, List<ClaimInfo> conflicts) {
    public ClaimResult {
        taken = List.copyOf(taken);
        conflicts = List.copyOf(conflicts);
    }
}
