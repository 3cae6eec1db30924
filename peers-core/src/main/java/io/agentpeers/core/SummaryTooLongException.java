package io.agentpeers.core;

/** A summary over the configured limit of UTF-8 bytes. */
public class SummaryTooLongException extends PeersException {
    public SummaryTooLongException(String message) {
        super(ErrorCode.SUMMARY_TOO_LONG, message);
    }
}
