package io.agentpeers.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.broker.PeersBroker;
import io.agentpeers.core.AlreadyRegisteredException;
import io.agentpeers.core.ClientType;
import io.agentpeers.core.Delivery;
import io.agentpeers.core.DeliveryPath;
import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.InvalidNameException;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.MessageTooLargeException;
import io.agentpeers.core.NameTakenException;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.NotRegisteredException;
import io.agentpeers.core.PeerStillConnectedException;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.RateLimitedException;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.core.ResumeRefusedException;
import io.agentpeers.core.Scope;
import io.agentpeers.core.UnknownMessageException;
import io.agentpeers.core.UnknownPeerException;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.protocol.BrokerEvent;
import io.agentpeers.protocol.BrokerInfo;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.InvalidParamsException;
import io.agentpeers.protocol.MethodNotFoundException;
import io.agentpeers.protocol.PeerInfo;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.store.memory.InMemoryPeerStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every transport must give a client of a real broker: registration, discovery, durable sends,
 * instant push, long polls, acknowledgements and resume after a broker restart. Each transport runs
 * it by saying how to add its listener to a broker and how to connect.
 */
public abstract class AbstractBrokerContractTest implements CoordinationBrokerContract {
    @TempDir
    protected Path dir;

    private PeersBroker broker;
    private PeerStore store;
    private final List<PeersClient> clients = new ArrayList<>();

    /** Adds this transport's listener to a broker about to start. */
    protected abstract PeersBroker.Builder listen(PeersBroker.Builder builder, Path dir);

    /** A connector to the broker that {@link #listen} set up. */
    protected abstract TransportConnector connector(PeersBroker broker);

    /** Client options for this transport (a token over TCP). */
    protected ClientOptions options(PeersBroker broker) {
        return ClientOptions.defaults().withRequestTimeout(Duration.ofSeconds(10));
    }

    /** The store the broker keeps across its restarts in one test (in memory unless a subclass says). */
    protected PeerStore newStore(Path dir) {
        return new InMemoryPeerStore();
    }

    /** Whether peers over this transport are verified by the operating system. */
    protected abstract boolean verified();

    protected PeersBroker startBroker() {
        if (store == null) {
            store = newStore(dir);
        }
        broker = listen(PeersBroker.builder(), dir)
                .store(store)
                .limits(PeersLimits.defaults().withRate(100_000, 100_000))
                .start();
        return broker;
    }

    @AfterEach
    void tearDown() {
        clients.forEach(PeersClient::close);
        if (broker != null) {
            broker.close();
        }
        if (store != null) {
            store.close();
        }
    }

    protected PeersClient connect() {
        PeersClient client = PeersClient.connect(connector(broker), options(broker));
        clients.add(client);
        return client;
    }

    @Override
    public void startTheBroker() {
        startBroker();
    }

    @Override
    public PeersClient registeredAs(String name) {
        return registered(name, "/src/app");
    }

    protected PeersClient registered(String name, String cwd) {
        PeersClient client = connect();
        client.register(RegisterRequest.of(cwd, ClientType.GENERIC).withName(name));
        return client;
    }

    @Test
    void twoClientsFindEachOtherAndTalk() throws Exception {
        startBroker();
        PeersClient alice = registered("alice", "/src/app");
        PeersClient bob = registered("bob", "/src/app");
        assertEquals(verified(), alice.self().verified());

        List<PeerInfo> seen = alice.listPeers(Scope.DIRECTORY);
        assertEquals(List.of("bob"), seen.stream().map(PeerInfo::name).toList());

        BlockingQueue<Envelope> inbox = new LinkedBlockingQueue<>();
        bob.subscribe(inbox::add);
        Results.Sent sent = alice.send("bob", "hello bob");
        Envelope got = inbox.poll(10, TimeUnit.SECONDS);
        assertNotNull(got, "pushed without polling");
        assertEquals("hello bob", got.message().text());
        assertEquals(alice.self().id(), got.sender().id());
        assertEquals("alice", got.sender().name());
        assertEquals(verified(), got.sender().verified());

        long id = sent.message().id();
        assertEquals(
                MessageState.DELIVERED,
                awaitState(alice, id, MessageState.DELIVERED),
                "the client acknowledged after its listener returned");
        bob.markRead(List.of(id));
        assertEquals(MessageState.READ, alice.message(id).state());

        bob.send(alice.self().id(), "hi alice", id);
        Envelope reply = alice.waitForMessages(Duration.ofSeconds(5), 10).get(0);
        assertEquals(Long.valueOf(id), reply.message().replyTo());
    }

    private static MessageState awaitState(PeersClient client, long id, MessageState wanted) {
        Await.until(
                Duration.ofSeconds(10), () -> client.message(id).state() == wanted, "message #" + id + " is " + wanted);
        return client.message(id).state();
    }

    @Test
    void aLongPollReturnsAsSoonAsAMessageArrivesAndEmptyAfterItsTimeout() throws Exception {
        startBroker();
        PeersClient codex = registered("codex", "/w");
        PeersClient other = registered("other", "/w");
        assertTrue(codex.waitForMessages(Duration.ofMillis(200), 10).isEmpty());

        CompletableFuture<List<Envelope>> waiting =
                CompletableFuture.supplyAsync(() -> codex.waitForMessages(Duration.ofSeconds(30), 10));
        Thread.sleep(100);
        assertFalse(waiting.isDone());
        other.send("codex", "wake up");
        List<Envelope> woke = waiting.get(10, TimeUnit.SECONDS);
        assertEquals("wake up", woke.get(0).message().text());
        assertEquals(1, codex.pending(10).size(), "a long poll takes, it does not acknowledge");
    }

    @Test
    void errorsArriveAsTheTypesTheBrokerThrewAndTheConnectionGoesOn() {
        startBroker();
        PeersClient alice = registered("alice", "/w");
        registered("bobcat", "/w");
        UnknownPeerException unknown = assertThrows(UnknownPeerException.class, () -> alice.send("bobcar", "hi"));
        assertEquals(ErrorCode.UNKNOWN_PEER, unknown.errorCode());
        assertTrue(
                unknown.suggestions().get(0).startsWith("bobcat"),
                unknown.suggestions().toString());
        assertTrue(unknown.getMessage().contains("bobcar"), "the broker's sentence: " + unknown.getMessage());
        NameTakenException taken = assertThrows(NameTakenException.class, () -> registered("alice", "/w"));
        assertEquals("name_taken", taken.code());
        assertThrows(
                AlreadyRegisteredException.class, () -> alice.register(RegisterRequest.of("/w", ClientType.GENERIC)));
        assertThrows(InvalidNameException.class, () -> alice.setName("Not A Name"));
        assertThrows(UnknownMessageException.class, () -> alice.message(999_999));
        assertThrows(MessageTooLargeException.class, () -> alice.send("bobcat", ""));
        assertThrows(InvalidParamsException.class, () -> alice.waitForMessages(Duration.ofMinutes(10), 1));
        assertThrows(MethodNotFoundException.class, () -> alice.call("frobnicate", null, JsonNode.class));
        assertThrows(NotRegisteredException.class, () -> connect().whoami());
        assertEquals("bobcat", alice.getPeer("bobcat").name(), "still serving this connection");
    }

    @Test
    void aResumeOfAPeerStillConnectedIsItsOwnTypeAndAnUnknownSecretItsParent() {
        startBroker();
        PeersClient holder = registered("holder", "/w");
        RegisterRequest resume = RegisterRequest.of("/w", ClientType.GENERIC).withResumeSecret(holder.resumeSecret());
        assertThrows(PeerStillConnectedException.class, () -> connect().register(resume));
        ResumeRefusedException unknown = assertThrows(
                ResumeRefusedException.class, () -> connect().register(resume.withResumeSecret("no-such-secret")));
        assertEquals(ErrorCode.RESUME_REFUSED, unknown.errorCode());
    }

    @Test
    void aRateLimitedSendCarriesWhenToTryAgain() {
        store = newStore(dir);
        broker = listen(PeersBroker.builder(), dir)
                .store(store)
                .limits(PeersLimits.defaults().withRate(60, 1))
                .start();
        PeersClient sender = registered("sender", "/w");
        registered("target", "/w");
        sender.send("target", "the one the burst allows");
        RateLimitedException limited =
                assertThrows(RateLimitedException.class, () -> sender.send("target", "one more"));
        assertTrue(
                limited.retryAfterMillis() > 0 && limited.retryAfterMillis() <= 1_000,
                limited.retryAfterMillis() + " ms");
    }

    @Test
    void aClientResumesItsPeerAfterTheBrokerRestartsAndGetsWhatWasSentMeanwhile() throws Exception {
        startBroker();
        PeersClient orchestrator = registered("orch", "/w");
        BlockingQueue<Envelope> inbox = new LinkedBlockingQueue<>();
        orchestrator.subscribe(inbox::add);
        String id = orchestrator.self().id();

        broker.close();
        startBroker();
        PeersClient sender = registered("sender", "/w");
        sender.send("orch", "sent while you were away");

        Envelope got = inbox.poll(15, TimeUnit.SECONDS);
        assertNotNull(got, "resumed and re-subscribed by itself");
        assertEquals("sent while you were away", got.message().text());
        assertEquals(id, orchestrator.whoami().id());
        assertEquals("orch", orchestrator.whoami().name());
    }

    @Test
    void listPeersShowsEveryChangeAtOnceInRegistrationOrder() throws Exception {
        startBroker();
        PeersClient alice = registered("alice", "/src/app");
        PeersClient bob = registered("bob", "/src/app");
        PeersClient carol = registered("carol", "/src/other");
        assertEquals(List.of("bob", "carol"), names(alice.listPeers(Scope.MACHINE)));

        bob.setSummary("fixing the parser");
        assertEquals("fixing the parser", alice.listPeers(Scope.MACHINE).get(0).summary(), "no stale cached peer");
        bob.setName("robert");
        assertEquals(List.of("robert", "carol"), names(alice.listPeers(Scope.MACHINE)));

        carol.close();
        Await.until(Duration.ofSeconds(10), () -> alice.listPeers(Scope.MACHINE).size() <= 1, "carol is gone");
        PeersClient dave = registered("dave", "/src/app");
        assertEquals(List.of("robert", "dave"), names(alice.listPeers(Scope.MACHINE)));
        assertEquals(List.of("alice", "dave"), names(bob.listPeers(Scope.DIRECTORY)));
    }

    @Test
    void eachLivePeerShowsHowItReceivesMessagesAsItsClientReportedIt() throws Exception {
        startBroker();
        PeersClient alice = registered("alice", "/w");
        PeersClient bob = registered("bob", "/w");
        PeersClient carol = registered("carol", "/w");
        assertEquals(Delivery.POLL, deliveryOf(alice, "bob"), "nothing reported, no subscription");
        bob.subscribe(envelope -> {});
        assertEquals(Delivery.SUBSCRIBED, deliveryOf(alice, "bob"));

        Delivery wake = new Delivery(DeliveryPath.INBOX_WAKE, false);
        assertEquals(wake, carol.setDelivery(wake).delivery());
        assertEquals(wake, deliveryOf(alice, "carol"));
        Delivery confirmed = new Delivery(DeliveryPath.INBOX_WAKE, true);
        carol.setDelivery(confirmed);
        assertEquals(confirmed, deliveryOf(alice, "carol"), "no stale cached peer");
        assertEquals(confirmed, alice.send("carol", "hi").recipient().delivery(), "the sender learns it too");

        // reported again after the broker restarts
        broker.close();
        startBroker();
        Await.until(
                Duration.ofSeconds(15),
                () -> {
                    try {
                        return alice.listPeers(Scope.MACHINE).stream()
                                .anyMatch(p -> "carol".equals(p.name()) && confirmed.equals(p.delivery()));
                    } catch (PeersException reconnecting) {
                        return false;
                    }
                },
                "carol's delivery after the restart");

        carol.close();
        // Not "one peer left": bob may still be reconnecting after the restart while carol is still there.
        Await.until(
                Duration.ofSeconds(10),
                () -> alice.listPeers(Scope.MACHINE).stream().noneMatch(p -> "carol".equals(p.name())),
                "carol is gone");
        assertNull(alice.send("carol", "later").recipient().delivery(), "a gone peer receives nothing now");
    }

    private static Delivery deliveryOf(PeersClient viewer, String name) {
        return viewer.listPeers(Scope.MACHINE).stream()
                .filter(p -> name.equals(p.name()))
                .findFirst()
                .orElseThrow()
                .delivery();
    }

    @Test
    void aMessageFromAPeerThatHasGoneStillNamesItsSender() throws Exception {
        startBroker();
        PeersClient bob = registered("bob", "/src/app");
        PeersClient alice = registered("alice", "/src/app");
        alice.send("bob", "sent just before leaving");
        alice.close();
        Await.until(Duration.ofSeconds(10), () -> bob.listPeers(Scope.MACHINE).isEmpty(), "alice is gone");
        assertTrue(bob.listPeers(Scope.MACHINE).isEmpty(), "alice is gone");

        Envelope waiting = bob.pending(10).get(0);
        assertEquals("sent just before leaving", waiting.message().text());
        assertEquals("alice", waiting.sender().name(), "read from the store once alice is gone");
    }

    private static List<String> names(List<PeerInfo> peers) {
        return peers.stream().map(PeerInfo::displayName).toList();
    }

    @Test
    void aPeerGoesTheMomentItsConnectionCloses() throws Exception {
        startBroker();
        PeersClient watcher = registered("watcher", "/w");
        PeersClient leaver = registered("leaver", "/w");
        assertEquals(1, watcher.listPeers(Scope.MACHINE).size());
        leaver.close();
        Await.until(
                Duration.ofSeconds(10), () -> watcher.listPeers(Scope.MACHINE).isEmpty(), "the leaver is gone");
        assertTrue(watcher.listPeers(Scope.MACHINE).isEmpty());
        assertFalse(watcher.getPeer("leaver").live());
        watcher.send("leaver", "kept for when you come back");
        assertEquals(MessageState.PENDING, watcher.history("leaver", 1).get(0).state());
    }

    @Test
    void statsDescribeTheBroker() {
        startBroker();
        PeersClient client = connect();
        BrokerStats stats = client.stats();
        assertEquals(PeersClient.PROTOCOL_VERSION, stats.protocol());
        assertEquals(PeersClient.VERSION, stats.brokerVersion());
        assertEquals(1, stats.connections());
        assertTrue(stats.listeners().size() >= 1);
        assertEquals(new BrokerStats.PeerCounts(0, 0), stats.peers());
        assertEquals(ProcessHandle.current().pid(), stats.pid(), "an embedded broker");
        assertFalse(stats.uptime().isNegative());
        assertTrue(stats.orphans().isEmpty());
    }

    @Test
    void helloPingAndAnyCallComeBackAsRecords() {
        startBroker();
        PeersClient client = registered("alice", "/w");
        BrokerInfo info = client.brokerInfo();
        assertEquals(PeersClient.PROTOCOL_VERSION, info.protocol());
        assertEquals(PeersClient.VERSION, info.brokerVersion());
        assertEquals(verified(), info.verified());
        assertNotNull(client.ping().brokerTime());
        record Named(
                String name, @JsonProperty("client_type") String clientType) {}
        record Whoami(Named peer) {}
        assertEquals(
                new Named("alice", "generic"),
                client.call("whoami", null, Whoami.class).peer());
        assertEquals(
                "alice",
                client.call("get_peer", Map.of("peer", "alice"), JsonNode.class)
                        .path("peer")
                        .path("name")
                        .asText());
    }

    @Test
    void anObserverReceivesTypedEvents() throws Exception {
        startBroker();
        if (!verified()) {
            assertThrows(
                    NotAuthorizedException.class,
                    () -> connect().observe(event -> {}),
                    "observe needs the Unix socket");
            return;
        }
        BlockingQueue<BrokerEvent> events = new LinkedBlockingQueue<>();
        connect().observe(events::add);
        PeersClient alice = registered("alice", "/w");
        assertEquals("alice", next(events, BrokerEvent.PeerJoined.class).peer().name());
        alice.setSummary("observed");
        assertEquals(
                "observed", next(events, BrokerEvent.PeerUpdated.class).peer().summary());
        registered("bob", "/w");
        alice.send("bob", "seen by the observer");
        assertEquals(
                "seen by the observer",
                next(events, BrokerEvent.MessageSent.class).message().text());
    }

    @Test
    void aHookConnectionFindsThePeerOfItsAgentAndBlocksAStopOnce() {
        startBroker();
        PeersClient hook = connect();
        if (!verified()) {
            assertThrows(
                    NotAuthorizedException.class,
                    () -> hook.agentUnread(false),
                    "agent_unread needs the Unix socket's credentials");
            return;
        }
        assertTrue(hook.agentUnread(true).isEmpty(), "no peer's agent is this process yet");
        // This JVM is its own agent (no agent_pid): the hook's connection comes from it, so it is the
        // nearest ancestor (depth 0).
        PeersClient bob = registered("bob", "/w");
        pauseAMillisecond();
        registered("me", "/w");
        bob.send("me", "a body the hook never sees");

        Results.AgentUnread answer = hook.agentUnread(true).orElseThrow();
        assertEquals("me", answer.peerName(), "of two peers of one agent, the one that registered last: " + answer);
        assertEquals(1, answer.unread());
        assertEquals(List.of("bob"), answer.senders());
        assertTrue(answer.blockStop());
        assertFalse(hook.agentUnread(true).orElseThrow().blockStop(), "the same unread set passes");
    }

    private static void pauseAMillisecond() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next event of this type, skipping others; fails after 10 s. */
    private static <T extends BrokerEvent> T next(BlockingQueue<BrokerEvent> events, Class<T> type)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            BrokerEvent event = events.poll(100, TimeUnit.MILLISECONDS);
            if (type.isInstance(event)) {
                return type.cast(event);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
    }
}
