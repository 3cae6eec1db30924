package io.agentpeers.core;

/** A summary over the configured limit of UTF-8 bytes. */
public class SummaryTooLongException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public SummaryTooLongException(String message) {
        super(ErrorCode.SUMMARY_TOO_LONG, message);
    }
}
