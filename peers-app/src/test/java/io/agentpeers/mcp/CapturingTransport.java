package io.agentpeers.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCNotification;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * The SDK's client transport with every incoming notification copied aside: the SDK client drops
 * notifications it does not know (such as {@code notifications/claude/channel}) before a test sees them.
 */
final class CapturingTransport implements McpClientTransport {
    private final McpClientTransport inner;
    private final BlockingQueue<JSONRPCNotification> notifications = new LinkedBlockingQueue<>();

    CapturingTransport(McpClientTransport inner) {
        this.inner = inner;
    }

    @Override
    public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        return inner.connect(incoming -> handler.apply(incoming.doOnNext(message -> {
            if (message instanceof JSONRPCNotification notification) {
                notifications.add(notification);
            }
        })));
    }

    /** The next notification with this method, or null after the timeout. */
    JSONRPCNotification await(String method, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            JSONRPCNotification next = notifications.poll(left, TimeUnit.NANOSECONDS);
            if (next != null && method.equals(next.method())) {
                return next;
            }
        }
    }

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        inner.setExceptionHandler(handler);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return inner.closeGracefully();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
        return inner.sendMessage(message);
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return inner.unmarshalFrom(data, typeRef);
    }
}
