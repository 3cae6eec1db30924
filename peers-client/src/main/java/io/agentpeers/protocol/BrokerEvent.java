package io.agentpeers.protocol;

import io.agentpeers.core.Message;
import io.agentpeers.core.MessageState;
import java.time.Instant;
import java.util.List;

/**
 * An {@code event} notification an observer receives (docs/protocol.md, "Notifications"): one record
 * per {@code type}, and {@link Other} for a type this client does not know (a newer broker's).
 */
public sealed interface BrokerEvent {
    /** When the broker saw it. */
    Instant at();

    /** The wire name of its type, e.g. {@code "peer_joined"}. */
    String type();

    /** A peer registered; {@code resumed} when it took back an earlier peer. */
    record PeerJoined(Instant at, PeerInfo peer, boolean resumed) implements BrokerEvent {
        /** Always {@code "peer_joined"}. */
        public String type() {
            return "peer_joined";
        }
    }

    /** A peer changed its name or summary. */
    record PeerUpdated(Instant at, PeerInfo peer) implements BrokerEvent {
        /** Always {@code "peer_updated"}. */
        public String type() {
            return "peer_updated";
        }
    }

    /** A peer went; {@code reason} says why (its connection closed, it unregistered, it was swept). */
    record PeerLeft(Instant at, PeerInfo peer, String reason) implements BrokerEvent {
        /** Always {@code "peer_left"}. */
        public String type() {
            return "peer_left";
        }
    }

    /** A message was stored. */
    record MessageSent(Instant at, Message message) implements BrokerEvent {
        /** Always {@code "message_sent"}. */
        public String type() {
            return "message_sent";
        }
    }

    /** Messages of one recipient changed state (acknowledged, read, undeliverable). */
    record MessagesStateChanged(Instant at, String recipient, List<Long> ids, MessageState state)
            implements BrokerEvent {
        public MessagesStateChanged {
            ids = List.copyOf(ids);
        }

        /** Always {@code "messages_state"}. */
        public String type() {
            return "messages_state";
        }
    }

    /** A peer's agent process was ended by another peer; {@code signalled} when SIGTERM was sent. */
    record PeerKilled(Instant at, PeerInfo peer, String by, boolean signalled) implements BrokerEvent {
        /** Always {@code "peer_killed"}. */
        public String type() {
            return "peer_killed";
        }
    }

    /** A type this client does not know. */
    record Other(Instant at, String type) implements BrokerEvent {}
}
