package io.agentpeers.core;

import java.util.Objects;

/**
 * A kill that another broker asked of this one, because this broker holds the victim's connection: the
 * caller as its own broker verified it, and the victim. This broker runs its own checks before it signals.
 *
 * @param id         the request's id in the shared store
 * @param caller     the peer that asked (held by the asking broker)
 * @param callerUid  the caller's uid on its own machine (shown, never compared: uids differ between hosts)
 * @param callerUser the caller's user name as its broker resolved it, or {@code null} when it could not
 * @param victim     the peer to end
 */
public record KillRequest(long id, PeerId caller, int callerUid, String callerUser, PeerId victim) {
    public KillRequest {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(victim, "victim");
    }
}
