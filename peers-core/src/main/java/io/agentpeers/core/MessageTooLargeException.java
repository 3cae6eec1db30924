package io.agentpeers.core;

/** A message text over the configured limit of UTF-8 bytes, or empty. */
public class MessageTooLargeException extends PeersException {
    public static final String CODE = "message_too_large";

    public MessageTooLargeException(String message) {
        super(CODE, message);
    }
}
