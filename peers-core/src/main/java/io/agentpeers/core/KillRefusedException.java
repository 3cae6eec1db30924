package io.agentpeers.core;

/** A kill that the rules forbid: yourself, a gone peer, or an unverified one. */
public class KillRefusedException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "kill_refused";

    /** @param message what happened and how to fix it, for a person or a model */
    public KillRefusedException(String message) {
        super(CODE, message);
    }
}
