package io.agentpeers.core;

/** A named agent process that is not the connection process's parent of the same uid. */
public class AgentNotVerifiedException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "agent_not_verified";

    /** @param message what happened and how to fix it, for a person or a model */
    public AgentNotVerifiedException(String message) {
        super(CODE, message);
    }
}
