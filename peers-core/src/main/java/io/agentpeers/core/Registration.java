package io.agentpeers.core;

/**
 * The outcome of a registration.
 *
 * @param peer         the peer this connection now holds
 * @param resumeSecret a fresh secret that resumes this peer explicitly later (each registration
 *                     replaces the previous one); give it only to the client that registered
 * @param resumed      whether an earlier peer was taken back (automatically or by secret)
 * @param pending      how many messages wait for it
 */
public record Registration(Peer peer, String resumeSecret, boolean resumed, int pending) {}
