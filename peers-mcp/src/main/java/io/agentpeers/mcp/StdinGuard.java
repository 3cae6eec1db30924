package io.agentpeers.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands between stdin and the MCP SDK, one line at a time: a line that is not one JSON-RPC message
 * (not UTF-8, not JSON, nested too deep, a batch, no {@code "jsonrpc":"2.0"}, a {@code null} or
 * non-scalar id, a method that is not a string) is answered with a JSON-RPC error ({@code -32700} or
 * {@code -32600}) and dropped, so the SDK's reader, which ends on the first line it cannot parse, only
 * ever sees good ones and the server keeps serving. Good lines pass unchanged.
 */
final class StdinGuard extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(StdinGuard.class);
    /** Longer lines are refused whole (a tool call carries at most a 64 KiB message). */
    static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARSE_ERROR = -32700;
    private static final int INVALID_REQUEST = -32600;

    private final InputStream in;
    private final Consumer<String> reply;
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

    /** @param reply writes one error line (without its newline) to the client, atomically with other messages */
    StdinGuard(InputStream in, Consumer<String> reply) {
        this.in = new BufferedInputStream(in, 64 * 1024);
        this.reply = reply;
    }

    @Override
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        return current[position++] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int count = Math.min(length, current.length - position);
        System.arraycopy(current, position, buffer, offset, count);
        position += count;
        return count;
    }

    @Override
    public int available() {
        return current.length - position;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Makes the next good line (with its newline) current; false at the end of stdin. */
    private boolean fill() throws IOException {
        while (position >= current.length) {
            if (ended) {
                return false;
            }
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean tooLong = false;
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (line.size() < MAX_LINE_BYTES) {
                    line.write(b);
                } else {
                    tooLong = true;
                }
            }
            if (b == -1) {
                ended = true;
                if (line.size() == 0) {
                    return false;
                }
            }
            byte[] bytes = line.toByteArray();
            if (tooLong) {
                refuse(null, INVALID_REQUEST, "a line of more than " + MAX_LINE_BYTES + " bytes");
                continue;
            }
            if (accepted(bytes)) {
                current = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, current, 0, bytes.length);
                current[bytes.length] = '\n';
                position = 0;
            }
        }
        return true;
    }

    /** Whether {@code bytes} are one JSON-RPC message; answers the client when they are not. */
    private boolean accepted(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            refuse(null, PARSE_ERROR, "a line that is not UTF-8");
            return false;
        }
        if (text.isBlank()) {
            return false;
        }
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (IOException | RuntimeException e) {
            refuse(null, PARSE_ERROR, "a line that is not JSON (or nested too deep)");
            return false;
        }
        if (message == null || !message.isObject()) {
            refuse(
                    null,
                    INVALID_REQUEST,
                    message != null && message.isArray()
                            ? "a batch: send one JSON-RPC message a line"
                            : "a line that is not a JSON-RPC object");
            return false;
        }
        JsonNode id = message.get("id");
        JsonNode usableId = id != null && (id.isTextual() || id.isIntegralNumber()) ? id : null;
        if (!"2.0".equals(message.path("jsonrpc").asText(null))) {
            refuse(usableId, INVALID_REQUEST, "a message without \"jsonrpc\":\"2.0\"");
            return false;
        }
        if (id != null && usableId == null) {
            refuse(null, INVALID_REQUEST, "an id that is not a string or a whole number");
            return false;
        }
        JsonNode method = message.get("method");
        if (method != null && !method.isTextual()) {
            refuse(usableId, INVALID_REQUEST, "a method that is not a string");
            return false;
        }
        if (method == null && usableId == null) {
            refuse(null, INVALID_REQUEST, "neither a request, a notification nor a response");
            return false;
        }
        return true;
    }

    private void refuse(JsonNode id, int code, String what) {
        LOG.warn("stdin: refused {}", what);
        ObjectNode error = JsonNodeFactory.instance.objectNode();
        error.put("jsonrpc", "2.0");
        error.set("id", id == null ? JsonNodeFactory.instance.nullNode() : id);
        error.putObject("error").put("code", code).put("message", "peers mcp refused " + what);
        reply.accept(error.toString());
    }
}
