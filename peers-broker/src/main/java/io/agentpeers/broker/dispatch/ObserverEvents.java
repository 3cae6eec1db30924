package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.PeersEvent;
import io.agentpeers.protocol.codec.PeersJson;
import java.time.Instant;

/** The {@code event} notifications observers receive (docs/protocol.md, "Notifications"). */
public final class ObserverEvents {
    private ObserverEvents() {}

    /** The params of the {@code event} notification for {@code event}. */
    public static ObjectNode describe(PeersEvent event) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("at", Instant.now().toString());
        if (event instanceof PeersEvent.PeerJoined joined) {
            node.put("type", "peer_joined");
            node.set("peer", PeersJson.peer(joined.peer()));
            node.put("resumed", joined.resumed());
        } else if (event instanceof PeersEvent.PeerUpdated updated) {
            node.put("type", "peer_updated");
            node.set("peer", PeersJson.peer(updated.peer()));
        } else if (event instanceof PeersEvent.PeerLeft left) {
            node.put("type", "peer_left");
            node.set("peer", PeersJson.peer(left.peer()));
            node.put("reason", left.reason());
        } else if (event instanceof PeersEvent.MessageSent sent) {
            node.put("type", "message_sent");
            node.set("message", PeersJson.message(sent.message()));
        } else if (event instanceof PeersEvent.MessagesStateChanged changed) {
            node.put("type", "messages_state");
            node.put("recipient", changed.recipient().value());
            ArrayNode ids = node.putArray("ids");
            changed.ids().forEach(ids::add);
            node.put("state", changed.state().wireName());
        } else if (event instanceof PeersEvent.PeerKilled killed) {
            node.put("type", "peer_killed");
            node.set("peer", PeersJson.peer(killed.target()));
            node.put("by", killed.by().value());
            node.put("signalled", killed.signalled());
        }
        return node;
    }
}
