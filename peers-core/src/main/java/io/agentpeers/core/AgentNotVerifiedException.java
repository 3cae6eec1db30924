package io.agentpeers.core;

/** A named agent process that is not the connection process's parent of the same uid. */
public class AgentNotVerifiedException extends PeersException {
    public static final String CODE = "agent_not_verified";

    public AgentNotVerifiedException(String message) {
        super(CODE, message);
    }
}
