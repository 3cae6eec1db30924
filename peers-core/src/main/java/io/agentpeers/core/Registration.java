package io.agentpeers.core;

/**
 * The outcome of a registration.
 *
 * @param peer         the peer this connection now holds
 * @param resumeSecret a fresh secret that resumes this peer explicitly later (each registration
 *                     replaces the previous one); give it only to the client that registered
 * @param resumedBy    how an earlier peer was taken back, or {@code null} for a new peer
 * @param pending      how many messages wait for it
 */
public record Registration(Peer peer, String resumeSecret, ResumedBy resumedBy, int pending) {
    /** Whether an earlier peer was taken back (by secret, session, agent or name). */
    public boolean resumed() {
        return resumedBy != null;
    }
}
