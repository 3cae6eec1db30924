package io.agentpeers.broker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.broker.dispatch.BrokerDispatcher;
import io.agentpeers.broker.dispatch.ObserverEvents;
import io.agentpeers.core.KillResult;
import io.agentpeers.core.Message;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.PeersEvent;
import io.agentpeers.core.Scope;
import io.agentpeers.core.SendResult;
import io.agentpeers.dashboard.CommittedEvent;
import io.agentpeers.dashboard.DashboardBackend;
import io.agentpeers.dashboard.DashboardServer;
import io.agentpeers.protocol.codec.ClaimsJson;
import io.agentpeers.protocol.codec.PeersJson;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The dashboard's view of this broker: the network's live peers and unread messages, its events (the
 * {@code observe} events, with each peer's delivery), and the person's actions through
 * {@link DashboardPerson}. Reads no store directly; everything goes through {@link PeerNetwork}.
 */
final class BrokerDashboard implements DashboardBackend {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Unread messages read per live peer for the first view. */
    private static final int UNREAD_PER_PEER = 200;

    private final PeerNetwork network;
    private final BrokerDispatcher dispatcher;
    private final Supplier<ObjectNode> stats;
    private final DashboardPerson person;

    BrokerDashboard(
            PeerNetwork network, BrokerDispatcher dispatcher, Supplier<ObjectNode> stats, DashboardPerson person) {
        this.network = network;
        this.dispatcher = dispatcher;
        this.stats = stats;
        this.person = person;
    }

    /**
     * Starts serving the dashboard of this broker on {@code port}. A method of its own so that the broker's
     * classes name no dashboard type but the server's: no class of the dashboard loads before it is asked for.
     */
    static DashboardServer serve(PeerNetwork network, BrokerDispatcher dispatcher, DashboardPerson person, int port) {
        return new DashboardServer(new BrokerDashboard(network, dispatcher, dispatcher::stats, person)).start(port);
    }

    @Override
    public ObjectNode broker() {
        return stats.get();
    }

    @Override
    public ArrayNode peers() {
        ArrayNode peers = NODES.arrayNode();
        network.livePeers().forEach(peer -> peers.add(peerNode(peer)));
        return peers;
    }

    private ObjectNode peerNode(Peer peer) {
        ObjectNode node = dispatcher.peerNode(peer);
        node.set("claims", claims(peer));
        return node;
    }

    /** The claims on paths the peer holds now, as {@code list_claims} shows them, for the page's Claims column. */
    private ArrayNode claims(Peer peer) {
        return ClaimsJson.of(network.claimsHeldBy(peer.id()), peer);
    }

    @Override
    public ArrayNode unreadMessages(int limit) {
        List<Message> all = new ArrayList<>();
        for (Peer peer : network.livePeers()) {
            try {
                all.addAll(network.unread(peer.id(), UNREAD_PER_PEER));
            } catch (RuntimeException wentMeanwhile) {
                // It left between the list and the read: nothing of it to show.
            }
        }
        all.sort(Comparator.comparingLong(Message::id).reversed());
        return PeersJson.messages(all.subList(0, Math.min(limit, all.size())));
    }

    @Override
    public String actingAs() {
        return person.name();
    }

    @Override
    public AutoCloseable observe(Consumer<CommittedEvent> listener) {
        return dispatcher.observeInProcess(event -> listener.accept(new CommittedEvent(
                event instanceof PeersEvent.MessageSent sent ? sent.message().sentAt() : null, () -> describe(event))));
    }

    private ObjectNode describe(PeersEvent event) {
        ObjectNode node = ObserverEvents.describe(event);
        if (event instanceof PeersEvent.PeerJoined joined) {
            node.set("peer", peerNode(joined.peer()));
        } else if (event instanceof PeersEvent.PeerUpdated updated) {
            node.set("peer", peerNode(updated.peer()));
        }
        return node;
    }

    @Override
    public ObjectNode send(String to, String text, Long replyTo) {
        SendResult result = person.act(me -> network.send(me, to, text, replyTo));
        ObjectNode node = NODES.objectNode();
        node.set("message", PeersJson.message(result.message()));
        node.set("recipient", dispatcher.peerNode(result.recipient()));
        return node;
    }

    @Override
    public ObjectNode broadcast(String scope, String text) {
        Scope chosen = Scope.fromWireName(scope);
        List<SendResult> results = person.act(me -> network.broadcast(me, chosen, text));
        ArrayNode messages = NODES.arrayNode();
        results.forEach(r -> messages.add(PeersJson.message(r.message())));
        return NODES.objectNode().set("messages", messages);
    }

    @Override
    public ObjectNode readInbox() {
        int read = person.act(me -> {
            int total = 0;
            // A bounded number of pages: an inbox past 10,000 unread is marked in the next click.
            for (int page = 0; page < 10; page++) {
                List<Long> ids =
                        network.unread(me, 1_000).stream().map(Message::id).toList();
                if (ids.isEmpty()) {
                    break;
                }
                total += network.markRead(me, ids);
            }
            return total;
        });
        return NODES.objectNode().put("read", read);
    }

    @Override
    public ObjectNode kill(String target) {
        KillResult result = person.act(me -> network.kill(me, target));
        ObjectNode node = NODES.objectNode();
        node.set("peer", PeersJson.peer(result.target()));
        node.put("signalled", result.signalled());
        return node;
    }
}
