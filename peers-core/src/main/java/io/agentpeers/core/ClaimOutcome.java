package io.agentpeers.core;

import java.util.List;

/**
 * What a claim call did.
 *
 * @param root      the repository root the paths were taken from (the caller's work tree)
 * @param taken     the claims now held, new or renewed
 * @param conflicts other live peers' claims that overlap a path asked for; when not shared, none of the
 *                  paths asked for was taken
 */
public record ClaimOutcome(String root, List<Claim> taken, List<HeldClaim> conflicts) {
    public ClaimOutcome {
        taken = List.copyOf(taken);
        conflicts = List.copyOf(conflicts);
    }
}
