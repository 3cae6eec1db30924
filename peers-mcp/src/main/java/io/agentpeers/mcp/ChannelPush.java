package io.agentpeers.mcp;

import io.agentpeers.core.Message;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.MessageListener;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Pushes each incoming message into Claude Code as {@code notifications/claude/channel} with
 * {@code {content, meta}}. Returns (so the client acknowledges the message) only once the notification
 * line was flushed to stdout; on failure it throws, and the message stays pending.
 *
 * <p>Meta keys are plain identifiers: Claude Code drops any other key silently.
 */
final class ChannelPush implements MessageListener {
    static final String METHOD = "notifications/claude/channel";
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private final StdioServerTransportProvider transport;
    private final StdoutGate stdout;
    private final Arrivals arrivals;

    ChannelPush(StdioServerTransportProvider transport, StdoutGate stdout, Arrivals arrivals) {
        this.transport = transport;
        this.stdout = stdout;
        this.arrivals = arrivals;
    }

    @Override
    public void onMessage(Envelope envelope) throws Exception {
        Message message = envelope.message();
        String marker = "\"message_id\":\"" + message.id() + "\"";
        CountDownLatch written = stdout.expect(marker);
        transport
                .notifyClients(METHOD, Map.of("content", message.text(), "meta", meta(envelope)))
                .block(WRITE_TIMEOUT);
        if (!stdout.await(marker, written, WRITE_TIMEOUT)) {
            throw new IllegalStateException("the channel notification for message " + message.id()
                    + " was not written within " + WRITE_TIMEOUT.toSeconds() + " s");
        }
        arrivals.signal();
    }

    /** The notification's meta: sender and message facts, each a string under a plain identifier. */
    static Map<String, String> meta(Envelope envelope) {
        Message message = envelope.message();
        PeerInfo sender = envelope.sender();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("from_id", message.sender().value());
        if (sender != null) {
            putIfPresent(meta, "from_name", sender.name());
            putIfPresent(
                    meta,
                    "from_client",
                    sender.clientType() == null ? null : sender.clientType().wireName());
            putIfPresent(meta, "from_summary", sender.summary());
            putIfPresent(meta, "from_cwd", sender.cwd());
            meta.put("from_verified", Boolean.toString(sender.verified()));
        }
        meta.put("message_id", Long.toString(message.id()));
        if (message.replyTo() != null) {
            meta.put("reply_to", Long.toString(message.replyTo()));
        }
        meta.put("sent_at", message.sentAt().toString());
        return meta;
    }

    private static void putIfPresent(Map<String, String> meta, String key, String value) {
        if (value != null && !value.isEmpty()) {
            meta.put(key, value);
        }
    }
}
