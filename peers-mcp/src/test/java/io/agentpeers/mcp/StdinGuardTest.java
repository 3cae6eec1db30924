package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every line that is not one JSON-RPC message is answered and dropped; good lines pass byte for byte. */
class StdinGuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void badLinesAreAnsweredAndGoodOnesPassUnchanged() throws Exception {
        String good1 = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}";
        String good2 = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
        String good3 = "{\"jsonrpc\":\"2.0\",\"id\":\"r-7\",\"result\":{}}";
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        List<String> lines = List.of(
                good1,
                "garbage",
                "[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]",
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}",
                "{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":5}",
                "[".repeat(5000) + "]".repeat(5000),
                "",
                good2);
        for (String line : lines) {
            input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        input.write(new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}', '\n'});
        input.write(good3.getBytes(StandardCharsets.UTF_8)); // the last line has no newline

        List<JsonNode> replies = new ArrayList<>();
        StdinGuard guard = new StdinGuard(new ByteArrayInputStream(input.toByteArray()), error -> {
            try {
                replies.add(JSON.readTree(error));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String passed = new String(guard.readAllBytes(), StandardCharsets.UTF_8);

        assertEquals(good1 + "\n" + good2 + "\n" + good3 + "\n", passed);
        List<Integer> codes =
                replies.stream().map(r -> r.path("error").path("code").asInt()).toList();
        assertEquals(List.of(-32700, -32600, -32600, -32600, -32600, -32600, -32700, -32700), codes);
        assertEquals(3, replies.get(4).path("id").asInt(), "a readable id is answered with itself");
        assertEquals(4, replies.get(5).path("id").asInt());
        assertEquals(true, replies.get(0).path("id").isNull());
    }
}
