package io.agentpeers.protocol.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** Writes whole lines to a blocking stream, one flushed write per line. Thread-safe: lines never interleave. */
public final class LineWriter {
    private final OutputStream output;

    public LineWriter(OutputStream output) {
        this.output = Objects.requireNonNull(output, "output");
    }

    public void writeLine(String line) throws IOException {
        byte[] bytes = Lines.encode(line);
        synchronized (this) {
            output.write(bytes);
            output.flush();
        }
    }
}
