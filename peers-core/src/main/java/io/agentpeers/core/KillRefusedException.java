package io.agentpeers.core;

/** A kill that the rules forbid: yourself, a gone peer, or an unverified one. */
public class KillRefusedException extends PeersException {
    public KillRefusedException(String message) {
        super(ErrorCode.KILL_REFUSED, message);
    }
}
