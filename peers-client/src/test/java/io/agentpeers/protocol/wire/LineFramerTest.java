package io.agentpeers.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {

    private final List<Object> seen = new ArrayList<>();
    private final LineFramer.Sink sink = new LineFramer.Sink() {
        @Override
        public void line(String line) {
            seen.add(line);
        }

        @Override
        public void error(FramingError error) {
            seen.add(error);
        }
    };

    private void feed(LineFramer framer, byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        framer.feed(buffer, sink);
        assertEquals(0, buffer.remaining(), "the framer consumes everything");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void linesEndInNewlineOrCrLfAndEmptyLinesAreSkipped() {
        LineFramer framer = new LineFramer(100);

        feed(framer, utf8("one\ntwo\r\n\n\r\nthree"));
        feed(framer, utf8(" é\n"));

        assertEquals(List.of("one", "two", "three é"), seen);
    }

    @Test
    void aLineSplitAnywhereIsReassembledIncludingInsideAMultiByteCharacter() {
        byte[] bytes = utf8("{\"v\":\"世界🙂\"}\n");
        for (int cut = 0; cut <= bytes.length; cut++) {
            seen.clear();
            LineFramer framer = new LineFramer(100);
            feed(framer, java.util.Arrays.copyOfRange(bytes, 0, cut));
            feed(framer, java.util.Arrays.copyOfRange(bytes, cut, bytes.length));
            assertEquals(List.of("{\"v\":\"世界🙂\"}"), seen, "cut at " + cut);
        }
    }

    @Test
    void theMaximumCountsBytesWithoutTheTerminator() {
        LineFramer framer = new LineFramer(10);

        feed(framer, utf8("0123456789\r\n"));
        feed(framer, utf8("0123456789\n"));
        assertEquals(List.of("0123456789", "0123456789"), seen);

        feed(framer, utf8("01234567890\n"));
        assertEquals(FramingError.LINE_TOO_LONG, seen.get(2));
    }

    @Test
    void aTooLongLineIsReportedOnceEvenBeforeItsNewlineAndThenEverythingIsDiscarded() {
        LineFramer framer = new LineFramer(1024 * 1024);

        feed(framer, new byte[1024 * 1024 + 2]); // no newline yet
        feed(framer, utf8("more\nvalid\n"));

        assertEquals(List.of(FramingError.LINE_TOO_LONG), seen);
        assertTrue(framer.failed());
    }

    @Test
    void invalidUtf8IsReportedAndTheNextLineIsFine() {
        LineFramer framer = new LineFramer(100);

        feed(framer, new byte[] {'a', (byte) 0xC3, (byte) 0x28, '\n'}); // bad continuation byte
        feed(framer, new byte[] {(byte) 0xC0, (byte) 0xAF, '\n'}); // overlong encoding of '/'
        feed(framer, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '\n'}); // a surrogate
        feed(framer, utf8("ok\n"));

        assertEquals(
                List.of(FramingError.INVALID_UTF8, FramingError.INVALID_UTF8, FramingError.INVALID_UTF8, "ok"), seen);
    }

    @Test
    void lineReaderAppliesTheSameRules() throws IOException {
        byte[] bytes = utf8("first\r\n\nsecond\n" + "x".repeat(20) + "\nlost");
        LineReader reader = new LineReader(new ByteArrayInputStream(bytes), 10);

        assertEquals("first", reader.readLine());
        assertEquals("second", reader.readLine());
        FramingException e = assertThrows(FramingException.class, reader::readLine);
        assertEquals(FramingError.LINE_TOO_LONG, e.error());
        assertThrows(FramingException.class, reader::readLine);
    }

    @Test
    void lineReaderGoesOnAfterInvalidUtf8AndDropsAnUnterminatedTail() throws IOException {
        byte[] bytes = {(byte) 0xFF, '\n', 'o', 'k', '\n', 't', 'a', 'i', 'l'};
        LineReader reader = new LineReader(new ByteArrayInputStream(bytes), 10);

        assertEquals(
                FramingError.INVALID_UTF8,
                assertThrows(FramingException.class, reader::readLine).error());
        assertEquals("ok", reader.readLine());
        assertNull(reader.readLine());
    }

    @Test
    void lineWriterTerminatesEachLineAndRefusesEmbeddedBreaks() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LineWriter writer = new LineWriter(out);

        writer.writeLine("{\"a\":\"é\"}");

        assertEquals("{\"a\":\"é\"}\n", out.toString(StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> writer.writeLine("two\nlines"));
    }
}
