package io.agentpeers.core;

/** A message text over the configured limit of UTF-8 bytes, or empty. */
public class MessageTooLargeException extends PeersException {
    public MessageTooLargeException(String message) {
        super(ErrorCode.MESSAGE_TOO_LARGE, message);
    }
}
