package io.agentpeers.core;

/** A message text over the configured limit of UTF-8 bytes, or empty. */
public class MessageTooLargeException extends PeersException {
    /** The {@linkplain PeersException#code() code} on the wire. */
    public static final String CODE = "message_too_large";

    /** @param message what happened and how to fix it, for a person or a model */
    public MessageTooLargeException(String message) {
        super(CODE, message);
    }
}
