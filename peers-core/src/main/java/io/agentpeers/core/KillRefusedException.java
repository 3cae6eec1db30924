package io.agentpeers.core;

/** A kill that the rules forbid: yourself, a gone peer, an unverified one; or the holding broker's refusal. */
public class KillRefusedException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public KillRefusedException(String message) {
        super(ErrorCode.KILL_REFUSED, message);
    }
}
