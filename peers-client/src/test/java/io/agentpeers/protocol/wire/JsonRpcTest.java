package io.agentpeers.protocol.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentpeers.core.NotAuthorizedException;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonRpcTest {

    private static JsonRpcError parseFailure(String line) {
        return assertThrows(JsonRpcException.class, () -> JsonRpcRequest.parse(line))
                .error();
    }

    @Test
    void aRequestAndANotificationParse() {
        JsonRpcRequest request = JsonRpcRequest.parse(
                "{\"jsonrpc\":\"2.0\",\"id\":\"a1\",\"method\":\"send\",\"params\":{\"to\":\"x\"}}");
        JsonRpcRequest notification = JsonRpcRequest.parse("{\"jsonrpc\":\"2.0\",\"method\":\"ack\",\"params\":[1]}");

        assertEquals("a1", request.id().asText());
        assertEquals("send", request.method());
        assertEquals("x", request.params().path("to").asText());
        assertFalse(request.isNotification());
        assertTrue(notification.isNotification());
        assertEquals(request, JsonRpcRequest.parse(request.toLine()));
    }

    @Test
    void eachKindOfBadLineGetsItsCode() {
        assertEquals(JsonRpc.PARSE_ERROR, parseFailure("{\"jsonrpc\":").code());
        assertEquals(JsonRpc.PARSE_ERROR, parseFailure("{\"a\":1} trailing").code());
        assertEquals(
                JsonRpc.PARSE_ERROR,
                parseFailure("{\"jsonrpc\":\"2.0\",\"jsonrpc\":\"2.0\",\"method\":\"m\"}")
                        .code());
        assertEquals(JsonRpc.INVALID_REQUEST, parseFailure("[]").code());
        assertEquals(JsonRpc.INVALID_REQUEST, parseFailure("42").code());
        assertEquals(
                JsonRpc.INVALID_REQUEST,
                parseFailure("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"m\"}").code());
        assertEquals(
                JsonRpc.INVALID_REQUEST,
                parseFailure("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}").code());
        assertEquals(
                JsonRpc.INVALID_REQUEST,
                parseFailure("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"m\"}").code());
        assertEquals(
                JsonRpc.INVALID_REQUEST,
                parseFailure("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":3}")
                        .code());
    }

    @Test
    void anInvalidRequestKeepsItsIdWhenItCanBeRead() {
        JsonRpcException e = assertThrows(
                JsonRpcException.class, () -> JsonRpcRequest.parse("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"\"}"));

        assertEquals(9, e.id().asInt());
        JsonNode line = WireJsonRoundTrip.read(
                JsonRpcResponse.failure(e.id(), e.error()).toLine());
        assertEquals(9, line.get("id").asInt());
        assertEquals(JsonRpc.INVALID_REQUEST, line.path("error").path("code").asInt());
    }

    @Test
    void peersErrorsCarryTheirStableCode() {
        JsonRpcError error = JsonRpcError.of(new NotAuthorizedException("no peer named bob"));
        JsonNode line =
                WireJsonRoundTrip.read(JsonRpcResponse.failure(null, error).toLine());

        assertEquals(JsonRpc.PEERS_ERROR, line.path("error").path("code").asInt());
        assertEquals("no peer named bob", line.path("error").path("message").asText());
        assertEquals(
                "not_authorized", line.path("error").path("data").path("code").asText());
        assertTrue(line.get("id").isNull(), "an unknown id is sent as null");
        assertEquals(
                Optional.of("not_authorized"),
                JsonRpcResponse.fromNode(line).error().dataCode());
    }

    @Test
    void responsesRoundTrip() {
        JsonRpcResponse ok = JsonRpcResponse.success(JsonNodeFactory.instance.numberNode(3), null);
        JsonRpcResponse parsed = JsonRpcResponse.fromNode(WireJsonRoundTrip.read(ok.toLine()));

        assertTrue(parsed.succeeded());
        assertTrue(parsed.result().isNull(), "a void result is an explicit null");
        assertNull(parsed.error());
        assertThrows(IllegalArgumentException.class, () -> new JsonRpcResponse(null, null, null));
    }

    @Test
    void theMapperWritesOneLineAndTimesAsText() throws Exception {
        record Sample(String name, Instant at, Optional<String> missing) {}

        String json = WireJson.mapper()
                .writeValueAsString(new Sample("a\nb", Instant.parse("2025-01-02T03:04:05Z"), Optional.empty()));

        assertEquals("{\"name\":\"a\\nb\",\"at\":\"2025-01-02T03:04:05Z\"}", json);
        assertEquals(
                new Sample("x", Instant.EPOCH, Optional.of("y")),
                WireJson.mapper()
                        .readValue(
                                "{\"name\":\"x\",\"at\":\"1970-01-01T00:00:00Z\",\"missing\":\"y\",\"extra\":1}",
                                Sample.class));
    }

    /** Reads a line back as a tree. */
    static final class WireJsonRoundTrip {
        static JsonNode read(String line) {
            try {
                return WireJson.mapper().readTree(line);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }
}
