package io.agentpeers.mcp;

import io.agentpeers.core.Message;
import io.agentpeers.core.MessageKind;
import io.agentpeers.core.Urgency;
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
 * <p>Claude Code shows it as {@code <channel source="peers" meta...>content</channel>}. The content is the
 * text in the envelope the tools use ({@link Fences#envelope}), so it can neither close the channel tag nor
 * pose as a second message; the meta is what the broker stamped (sender id, name, client, verification),
 * with the sender's own summary and folder made fit for an attribute ({@link Fences#attribute}). Meta keys
 * are plain identifiers: Claude Code drops any other key silently.
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
                .notifyClients(METHOD, Map.of("content", content(message), "meta", meta(envelope)))
                .block(WRITE_TIMEOUT);
        if (!stdout.await(marker, written, WRITE_TIMEOUT)) {
            throw new IllegalStateException("the channel notification for message " + message.id()
                    + " was not written within " + WRITE_TIMEOUT.toSeconds() + " s");
        }
        arrivals.signal();
    }

    /** The notification's content: the message's text in its fenced envelope. */
    static String content(Message message) {
        return Fences.envelope(message.id(), message.text());
    }

    /** The notification's meta: sender and message facts, each a string under a plain identifier. */
    static Map<String, String> meta(Envelope envelope) {
        Message message = envelope.message();
        PeerInfo sender = envelope.sender();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("from_id", message.sender().value());
        if (sender != null) {
            // The broker allows only [a-z0-9-] in a name; made fit all the same, as cheap as trusting it.
            putIfPresent(meta, "from_name", Fences.attribute(sender.name(), 64));
            putIfPresent(
                    meta,
                    "from_client",
                    sender.clientType() == null ? null : sender.clientType().wireName());
            meta.put("from_verified", Boolean.toString(sender.verified()));
            putIfPresent(meta, "from_summary", Fences.attribute(sender.summary(), 300));
            putIfPresent(meta, "from_cwd", Fences.attribute(sender.cwd(), 200));
        }
        meta.put("message_id", Long.toString(message.id()));
        if (message.replyTo() != null) {
            meta.put("reply_to", Long.toString(message.replyTo()));
        }
        meta.put("sent_at", message.sentAt().toString());
        if (message.kind() == MessageKind.QUESTION) {
            meta.put("kind", "question"); // the sender waits for the answer: reply with reply_to
        }
        if (message.urgency() != Urgency.NORMAL) {
            meta.put("urgency", message.urgency().wireName());
        }
        return meta;
    }

    private static void putIfPresent(Map<String, String> meta, String key, String value) {
        if (value != null && !value.isEmpty()) {
            meta.put(key, value);
        }
    }
}
