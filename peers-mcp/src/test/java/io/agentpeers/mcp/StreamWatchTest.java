package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The watched stdio streams and the argument checks, in memory. */
class StreamWatchTest {

    @Test
    void stdinWatchSeesInitializedAcrossReadsPassesBytesAndReportsTheEnd() throws IOException {
        String text = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}\n"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/notifications/initialized\"}\n"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        AtomicInteger initialized = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        // Three bytes at a time: the marker is split across reads.
        InputStream trickle = new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 3));
            }
        };
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        try (StdinWatch watch = new StdinWatch(trickle, initialized::incrementAndGet, ended::incrementAndGet)) {
            byte[] buffer = new byte[64];
            int n;
            while ((n = watch.read(buffer, 0, buffer.length)) >= 0) {
                seen.write(buffer, 0, n);
                if (seen.size() < text.indexOf("notifications/initialized\"}\n{")) {
                    assertEquals(0, initialized.get());
                }
            }
            assertEquals(-1, watch.read());
        }
        assertArrayEquals(bytes, seen.toByteArray());
        assertEquals(1, initialized.get());
        assertEquals(1, ended.get(), "the end is reported once");
    }

    @Test
    void stdinWatchIgnoresOtherMethods() throws IOException {
        AtomicInteger initialized = new AtomicInteger();
        byte[] bytes = "{\"method\":\"notifications/initializing\"}\n".getBytes(StandardCharsets.UTF_8);
        try (StdinWatch watch =
                new StdinWatch(new ByteArrayInputStream(bytes), initialized::incrementAndGet, () -> {})) {
            watch.readAllBytes();
        }
        assertEquals(0, initialized.get());
    }

    @Test
    void stdoutGateReleasesAWaiterOnlyOnceItsLineIsFlushed() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        AtomicInteger firstFlushes = new AtomicInteger();
        StdoutGate gate = new StdoutGate(sink, firstFlushes::incrementAndGet);
        gate.write("{\"id\":1}\n".getBytes(StandardCharsets.UTF_8));
        gate.flush();
        CountDownLatch latch = gate.expect("\"message_id\":\"7\"");
        gate.write("{\"meta\":{\"message_id\":\"77\"}}\n".getBytes(StandardCharsets.UTF_8));
        gate.flush();
        assertFalse(latch.await(0, java.util.concurrent.TimeUnit.MILLISECONDS), "another id does not count");
        gate.write("{\"meta\":{\"message_id\":\"7\"}}".getBytes(StandardCharsets.UTF_8));
        assertFalse(latch.await(0, java.util.concurrent.TimeUnit.MILLISECONDS), "written but not flushed");
        gate.write('\n');
        gate.flush();
        assertTrue(gate.await("\"message_id\":\"7\"", latch, Duration.ofSeconds(1)));
        assertEquals(1, firstFlushes.get());
        assertTrue(sink.toString(StandardCharsets.UTF_8).endsWith("{\"meta\":{\"message_id\":\"7\"}}\n"));
    }

    @Test
    void argumentsValidatorNamesTheMissingOrMistypedArgument() {
        ArgumentsValidator validator = new ArgumentsValidator();
        Map<String, Object> schema = Map.of(
                "type",
                "object",
                "required",
                List.of("to_id", "message"),
                "properties",
                Map.of(
                        "to_id",
                        Map.of("type", "string"),
                        "message",
                        Map.of("type", "string"),
                        "reply_to",
                        Map.of("type", "integer"),
                        "scope",
                        Map.of("type", "string", "enum", List.of("repo", "machine"))));
        assertTrue(validator
                .validate(schema, Map.of("to_id", "bob", "message", "hi", "reply_to", 3))
                .valid());
        assertTrue(validator
                .validate(schema, Map.of("to_id", "bob", "message", "hi", "reply_to", "3"))
                .valid());
        assertTrue(validator
                .validate(schema, Map.of("message", "hi"))
                .errorMessage()
                .contains("'to_id' is required"));
        assertTrue(validator
                .validate(schema, Map.of("to_id", 5, "message", "hi"))
                .errorMessage()
                .contains("string"));
        assertTrue(validator
                .validate(schema, Map.of("to_id", "b", "message", "hi", "reply_to", 2.5))
                .errorMessage()
                .contains("whole number"));
        assertTrue(validator
                .validate(schema, Map.of("to_id", "b", "message", "hi", "scope", "galaxy"))
                .errorMessage()
                .contains("one of"));
        assertFalse(validator.validate(schema, List.of()).valid());
    }
}
