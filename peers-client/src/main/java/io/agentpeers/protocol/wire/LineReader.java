package io.agentpeers.protocol.wire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Reads lines from a blocking stream with the same rules as {@link LineFramer} (the client side).
 * Not thread-safe: one reading thread.
 */
public final class LineReader {
    private final InputStream input;
    private final LineFramer framer;
    private final byte[] chunk = new byte[8192];
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private final LineFramer.Sink sink = new LineFramer.Sink() {
        @Override
        public void line(String line) {
            ready.add(line);
        }

        @Override
        public void error(FramingError error) {
            ready.add(error);
        }
    };

    /**
     * Reads {@code input}, refusing lines longer than {@code maxLineBytes} bytes (without the terminator).
     *
     * @throws IllegalArgumentException when {@code maxLineBytes} is below 1
     */
    public LineReader(InputStream input, int maxLineBytes) {
        this.input = Objects.requireNonNull(input, "input");
        this.framer = new LineFramer(maxLineBytes);
    }

    /** Reads {@code input} with the default maximum line length, {@link LineFramer#DEFAULT_MAX_LINE_BYTES}. */
    public LineReader(InputStream input) {
        this(input, LineFramer.DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * The next line without its terminator, or {@code null} at the end of the stream (a final line
     * without a terminator is dropped).
     *
     * @throws FramingException for a line that is too long (nothing more can be read) or not UTF-8
     *     (the next call reads on)
     */
    public String readLine() throws IOException {
        while (ready.isEmpty()) {
            if (framer.failed()) {
                throw new FramingException(FramingError.LINE_TOO_LONG, framer.maxLineBytes());
            }
            int n = input.read(chunk);
            if (n < 0) {
                return null;
            }
            framer.feed(ByteBuffer.wrap(chunk, 0, n), sink);
        }
        Object next = ready.poll();
        if (next instanceof FramingError error) {
            throw new FramingException(error, framer.maxLineBytes());
        }
        return (String) next;
    }
}
