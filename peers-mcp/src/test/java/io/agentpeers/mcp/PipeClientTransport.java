package io.agentpeers.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The MCP SDK's client side over two streams (the SDK's own stdio client transport only starts a
 * process): newline-delimited JSON-RPC, as on stdio, so that the SDK's client can drive a server in
 * this JVM.
 */
final class PipeClientTransport implements McpClientTransport {
    private final McpJsonMapper mapper;
    private final InputStream fromServer;
    private final OutputStream toServer;

    PipeClientTransport(McpJsonMapper mapper, InputStream fromServer, OutputStream toServer) {
        this.mapper = mapper;
        this.fromServer = fromServer;
        this.toServer = toServer;
    }

    @Override
    public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader lines =
                            new BufferedReader(new InputStreamReader(fromServer, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = lines.readLine()) != null) {
                            JSONRPCMessage message = McpSchema.deserializeJsonRpcMessage(mapper, line);
                            handler.apply(Mono.just(message)).subscribe();
                        }
                    } catch (IOException e) {
                        // the server closed its end
                    }
                },
                "pipe-client-reader");
        reader.setDaemon(true);
        reader.start();
        return Mono.empty();
    }

    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
        return Mono.fromRunnable(() -> {
            try {
                synchronized (toServer) {
                    toServer.write((mapper.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
                    toServer.flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.fromRunnable(() -> {
            try {
                toServer.close();
            } catch (IOException e) {
                // already closed
            }
        });
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return mapper.convertValue(data, typeRef);
    }
}
