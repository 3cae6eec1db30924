package io.agentpeers.protocol.wire;

import io.agentpeers.core.PeersException;
import java.util.Objects;

/** A line could not be framed (too long, invalid UTF-8); {@link #error()} says which. */
public class FramingException extends PeersException {
    private final FramingError error;

    public FramingException(FramingError error, int maxLineBytes) {
        super(error.code(), error.describe(maxLineBytes));
        this.error = Objects.requireNonNull(error, "error");
    }

    public FramingError error() {
        return error;
    }
}
