package io.agentpeers.core;

import java.util.List;
import java.util.Objects;

/**
 * What an agent's hook learns before a file is edited: which other live peers claim it.
 *
 * @param peer   the live peer whose verified agent is an ancestor of the asking process
 * @param path   the file, relative to that peer's repository root; null when it is outside the repository
 * @param claims other live peers' claims covering it, oldest first
 */
public record AgentClaims(Peer peer, String path, List<HeldClaim> claims) {
    public AgentClaims {
        Objects.requireNonNull(peer, "peer");
        claims = List.copyOf(claims);
    }
}
