package io.agentpeers.core;

/**
 * A kill asked of the broker holding the victim that got no answer in time: that broker is stopped, cut off
 * from the database, or lapsed. The request is void from then on: it is never carried out later.
 */
public class KillUnansweredException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public KillUnansweredException(String message) {
        super(ErrorCode.KILL_UNANSWERED, message);
    }
}
