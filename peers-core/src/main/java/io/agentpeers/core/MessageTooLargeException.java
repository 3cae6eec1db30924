package io.agentpeers.core;

/** A message text over the configured limit of UTF-8 bytes, or empty. */
public class MessageTooLargeException extends PeersException {
    /** @param message what happened and how to fix it, for a person or a model */
    public MessageTooLargeException(String message) {
        super(ErrorCode.MESSAGE_TOO_LARGE, message);
    }
}
