package io.agentpeers.protocol.wire;

import io.agentpeers.core.PeersException;
import java.util.Objects;

/** A line could not be framed (too long, invalid UTF-8); {@link #error()} says which. */
public class FramingException extends PeersException {
    private final FramingError error;

    /** A framing error found on this side, with the sentence {@link FramingError#describe} gives for this maximum. */
    public FramingException(FramingError error, int maxLineBytes) {
        this(error, error.describe(maxLineBytes));
    }

    /** The framing error a broker reported about a line of ours, with its sentence. */
    public FramingException(FramingError error, String message) {
        super(Objects.requireNonNull(error, "error").errorCode(), message);
        this.error = error;
    }

    /** Which framing error it was; {@link FramingError#closesConnection()} says whether the connection ends. */
    public FramingError error() {
        return error;
    }
}
