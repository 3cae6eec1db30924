package io.agentpeers.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a byte stream into UTF-8 lines, incrementally: feed it whatever arrived, it reports each
 * complete line. Lines end in {@code \n}; a {@code \r} before it is dropped; empty lines are skipped.
 *
 * <p>A line longer than the maximum (counted in bytes, without its terminator) is reported once as
 * {@link FramingError#LINE_TOO_LONG}, after which the framer discards everything: the connection is
 * expected to close. A line that is not valid UTF-8 is reported as {@link FramingError#INVALID_UTF8}
 * and framing goes on with the next line.
 *
 * <p>Not thread-safe: one framer per connection, fed by one thread at a time. It holds at most one
 * partial line, so an idle connection costs almost nothing.
 */
public final class LineFramer {
    /** The default maximum line length: 1 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

    /** Receives what the framer found, in stream order. */
    public interface Sink {
        void line(String line);

        void error(FramingError error);
    }

    private static final byte[] EMPTY = new byte[0];
    // A buffer this large is dropped after its line, so one big line does not pin memory for good.
    private static final int KEEP_BUFFER_BYTES = 16 * 1024;

    private int maxLineBytes;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] buffer = EMPTY;
    private int length;
    private boolean failed;

    /**
     * A framer that reports a line longer than {@code maxLineBytes} bytes (without its terminator) as
     * {@link FramingError#LINE_TOO_LONG}.
     *
     * @throws IllegalArgumentException when {@code maxLineBytes} is below 1
     */
    public LineFramer(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive, got " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    /** The longest line it accepts, in bytes without the terminator. */
    public int maxLineBytes() {
        return maxLineBytes;
    }

    /**
     * Changes the longest line accepted from now on, for instance raised once a connection has
     * authenticated. A partial line already longer than a lowered limit fails at the next feed.
     *
     * @throws IllegalArgumentException when {@code value} is below 1
     */
    public void maxLineBytes(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive, got " + value);
        }
        this.maxLineBytes = value;
    }

    /** The bytes of memory the framer holds for the partial line: its buffer's capacity. */
    public int heldBytes() {
        return buffer.length;
    }

    /** Drops the partial line and discards all further input, without reporting an error. */
    public void abandon() {
        failed = true;
        length = 0;
        buffer = EMPTY;
    }

    /** Whether a too-long line was seen; from then on input is discarded. */
    public boolean failed() {
        return failed;
    }

    /** Consumes all of {@code input} (position moves to its limit), reporting lines and errors to the sink. */
    public void feed(ByteBuffer input, Sink sink) {
        while (input.hasRemaining()) {
            if (failed) {
                input.position(input.limit());
                return;
            }
            int start = input.position();
            int limit = input.limit();
            int newline = -1;
            for (int i = start; i < limit; i++) {
                if (input.get(i) == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            // One byte of slack: a trailing \r that the newline may still strip.
            if ((long) length + (end - start) > (long) maxLineBytes + 1) {
                fail(sink);
                continue;
            }
            append(input, end - start);
            if (newline < 0) {
                return;
            }
            input.get(); // the newline
            completeLine(sink);
        }
    }

    private void completeLine(Sink sink) {
        int contentLength = length;
        if (contentLength > 0 && buffer[contentLength - 1] == '\r') {
            contentLength--;
        }
        if (contentLength > maxLineBytes) {
            fail(sink);
            return;
        }
        String line = null;
        if (contentLength > 0) {
            try {
                decoder.reset();
                CharBuffer chars = decoder.decode(ByteBuffer.wrap(buffer, 0, contentLength));
                line = chars.toString();
            } catch (CharacterCodingException e) {
                line = null;
                resetBuffer();
                sink.error(FramingError.INVALID_UTF8);
                return;
            }
        }
        resetBuffer();
        if (line != null) {
            sink.line(line);
        }
    }

    private void append(ByteBuffer input, int count) {
        if (count == 0) {
            return;
        }
        int needed = length + count;
        if (needed > buffer.length) {
            int grown = Math.max(needed, Math.min(maxLineBytes + 1, Math.max(256, buffer.length * 2)));
            buffer = Arrays.copyOf(buffer, grown);
        }
        input.get(buffer, length, count);
        length = needed;
    }

    private void resetBuffer() {
        length = 0;
        if (buffer.length > KEEP_BUFFER_BYTES) {
            buffer = EMPTY;
        }
    }

    private void fail(Sink sink) {
        abandon();
        sink.error(FramingError.LINE_TOO_LONG);
    }
}
