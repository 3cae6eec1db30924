package io.agentpeers.core;

/** A summary over the configured limit of UTF-8 bytes. */
public class SummaryTooLongException extends PeersException {
    public static final String CODE = "summary_too_long";

    public SummaryTooLongException(String message) {
        super(CODE, message);
    }
}
