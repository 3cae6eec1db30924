package io.agentpeers.core;

/** A named agent process that is not the connection process's parent of the same uid. */
public class AgentNotVerifiedException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public AgentNotVerifiedException(String message) {
        super(ErrorCode.AGENT_NOT_VERIFIED, message);
    }
}
