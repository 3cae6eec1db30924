package io.agentpeers.protocol;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;

/**
 * A folder or file of peers is not private to the user peers runs as: another user owns it, others
 * may write in the folder, or it is a symbolic link ({@link PrivateFiles}). Local, never sent by a
 * broker; the code is {@code invalid_argument} because the setting that names the path is what to fix.
 */
public class NotPrivateException extends PeersException {
    /** @param message one sentence: which path, what is wrong with it and how to fix it */
    public NotPrivateException(String message) {
        super(ErrorCode.INVALID_ARGUMENT, message);
    }
}
