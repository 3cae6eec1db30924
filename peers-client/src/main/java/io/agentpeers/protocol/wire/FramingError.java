package io.agentpeers.protocol.wire;

import io.agentpeers.core.ErrorCode;

/** What can be wrong with the bytes of a line, before any JSON is parsed. */
public enum FramingError {
    /** The line exceeded the maximum length; nothing more is read from that connection. */
    LINE_TOO_LONG(ErrorCode.LINE_TOO_LONG, true),
    /** The line was not valid UTF-8; the line is dropped and the connection goes on. */
    INVALID_UTF8(ErrorCode.INVALID_UTF8, false);

    private final ErrorCode code;
    private final boolean closesConnection;

    FramingError(ErrorCode code, boolean closesConnection) {
        this.code = code;
        this.closesConnection = closesConnection;
    }

    /** The stable code sent as {@code error.data.code}. */
    public String code() {
        return code.wireName();
    }

    /** The error code it stands for; {@link #code()} is that code's wire name. */
    public ErrorCode errorCode() {
        return code;
    }

    /** Whether the connection is closed after the error is reported. */
    public boolean closesConnection() {
        return closesConnection;
    }

    /** A sentence a person can act on. */
    public String describe(int maxLineBytes) {
        return switch (this) {
            case LINE_TOO_LONG -> "line longer than " + maxLineBytes + " bytes; closing the connection";
            case INVALID_UTF8 -> "line is not valid UTF-8; it was ignored";
        };
    }
}
