package io.agentpeers.core;

/** A kill that the rules forbid: yourself, a gone peer, or an unverified one. */
public class KillRefusedException extends PeersException {
    public static final String CODE = "kill_refused";

    public KillRefusedException(String message) {
        super(CODE, message);
    }
}
