package io.agentpeers.core;

/** A summary over the configured limit of UTF-8 bytes. */
public class SummaryTooLongException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "summary_too_long";

    /** @param message what happened and how to fix it, for a person or a model */
    public SummaryTooLongException(String message) {
        super(CODE, message);
    }
}
