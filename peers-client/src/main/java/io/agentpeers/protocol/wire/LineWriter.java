package io.agentpeers.protocol.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/** Writes whole lines to a blocking stream, one flushed write per line. Thread-safe: lines never interleave. */
public final class LineWriter {
    private final OutputStream output;

    /** @param output the stream to write to; this writer never closes it */
    public LineWriter(OutputStream output) {
        this.output = Objects.requireNonNull(output, "output");
    }

    /**
     * Writes {@code line} and a {@code \n} in one write, then flushes; lines of concurrent callers never
     * interleave.
     *
     * @throws IllegalArgumentException when the line contains a {@code \n} or a {@code \r} ({@link Lines#encode})
     */
    public void writeLine(String line) throws IOException {
        byte[] bytes = Lines.encode(line);
        synchronized (this) {
            output.write(bytes);
            output.flush();
        }
    }
}
