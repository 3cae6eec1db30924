package io.agentpeers.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.broker.server.LoopbackListener;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerState;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.StoreLostException;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.store.memory.InMemoryPeerStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a broker opens, when, what a builder changed after start does to it (nothing), what a lost
 * store does to it (it stops, with the loss as its failure), and what a stop leaves behind.
 */
class PeersBrokerTest {
    @TempDir
    Path dir;

    @Test
    void aBrokerRefusedForItsLockNeverOpensTheStore() {
        Path lock = dir.resolve("broker.lock");
        AtomicInteger opened = new AtomicInteger();
        try (PeersBroker first = PeersBroker.builder()
                .lockFile(lock)
                .listen(new LoopbackListener(0))
                .ownedStore(() -> {
                    opened.incrementAndGet();
                    return new InMemoryPeerStore();
                })
                .start()) {
            assertEquals(1, opened.get(), "the running broker opened its store once");
            assertThrows(
                    BrokerLock.BrokerAlreadyRunningException.class,
                    () -> PeersBroker.builder()
                            .lockFile(lock)
                            .listen(new LoopbackListener(0))
                            .ownedStore(() -> {
                                opened.incrementAndGet();
                                return new InMemoryPeerStore();
                            })
                            .start());
            assertEquals(1, opened.get(), "the refused one never opened it");
        }
    }

    @Test
    void aBuilderChangedAfterStartLeavesTheRunningBrokerAlone() throws Exception {
        LoopbackListener listener = new LoopbackListener(0);
        PeersBroker.Builder builder = PeersBroker.builder()
                .store(new InMemoryPeerStore())
                .listen(listener)
                .token("first-token");
        try (PeersBroker broker = builder.start()) {
            builder.token("second-token");
            assertTrue(hello(listener.port(), "first-token").contains("\"result\""), "the token it started with");
            assertTrue(hello(listener.port(), "second-token").contains("bad_token"), "not the builder's new one");
        }
    }

    @Test
    void aFatalErrorStopsTheWholeBrokerAndIsKeptAsItsFailure() throws Exception {
        LoopbackListener listener = new LoopbackListener(0);
        try (PeersBroker broker = PeersBroker.builder()
                .store(new InMemoryPeerStore())
                .listen(listener)
                .token("t")
                .start()) {
            assertTrue(broker.failure().isEmpty(), "no failure while it runs");
            OutOfMemoryError cause = new OutOfMemoryError("test");

            broker.fail("a selector loop died", cause);

            assertTrue(broker.awaitStop(Duration.ofSeconds(10)), "it stops on its own");
            assertSame(cause, broker.failure().orElseThrow());
            assertThrows(Exception.class, () -> hello(listener.port(), "t"), "and no longer listens");
        }
    }

    @Test
    void aLostStoreStopsTheBrokerWithTheLossAsItsFailure() throws Exception {
        LosableStore store = new LosableStore();
        try (PeersBroker broker = PeersBroker.builder()
                .listen(new LoopbackListener(0))
                .ownedStore(store)
                .start()) {
            store.lost = true;
            assertThrows(StoreLostException.class, () -> broker.network().sweep());
            assertTrue(broker.awaitStop(Duration.ofSeconds(10)), "the broker stopped on its own");
            assertInstanceOf(StoreLostException.class, broker.failure().orElseThrow());
            assertTrue(store.closed, "and closed its store");
        }
    }

    @Test
    void aStopMarksAllItsPeersGoneInOneWriteAndTheyStayGoneAfterTheRestart() throws Exception {
        CountingStore store = new CountingStore();
        List<Socket> sockets = new ArrayList<>();
        LoopbackListener listener = new LoopbackListener(0);
        PeersBroker broker = PeersBroker.builder()
                .store(store)
                .listen(listener)
                .token("t")
                .sweepInterval(Duration.ofHours(1))
                .start();
        try {
            for (int i = 0; i < 100; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), listener.port());
                sockets.add(socket);
                String reply = exchange(
                        socket,
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{\"protocol\":1,\"token\":\"t\"}}",
                        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"register\",\"params\":{\"cwd\":\"/w\","
                                + "\"client_type\":\"generic\",\"name\":\"p" + i + "\"}}");
                assertTrue(reply.contains("\"resume_secret\""), reply);
            }
            int writesBefore = store.transactions.get();

            broker.close();

            // One write each, waited for by the 16 connection workers, made 16 transactions of 100 peers here.
            assertEquals(1, store.transactions.get() - writesBefore, "one write for all of them");
        } finally {
            broker.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        List<Peer> peers = store.read(tx -> tx.findPeersByName("p42"));
        assertEquals(1, peers.size());
        Peer gone = peers.get(0);
        assertEquals(PeerState.GONE, gone.state());
        assertEquals(gone.goneAt().plus(PeersLimits.defaults().nameGrace()), gone.nameReservedUntil());
        assertEquals(List.of(), store.read(tx -> tx.livePeers()), "every peer gone, none left live");

        LoopbackListener again = new LoopbackListener(0);
        try (PeersBroker restarted = PeersBroker.builder()
                        .store(store)
                        .listen(again)
                        .token("t")
                        .start();
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), again.port())) {
            String reply = exchange(
                    socket,
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{\"protocol\":1,\"token\":\"t\"}}",
                    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"register\",\"params\":{\"cwd\":\"/w\","
                            + "\"client_type\":\"generic\",\"name\":\"p42\"}}");
            assertTrue(reply.contains("name_taken"), "the name stays reserved for the grace period: " + reply);
        }
    }

    /** Sends each request line and returns the answer to the last one. */
    private static String exchange(Socket socket, String... lines) throws Exception {
        socket.setSoTimeout(10_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String answer = null;
        for (String line : lines) {
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            answer = in.readLine();
        }
        return answer;
    }

    /** The in-memory store, counting its write transactions. */
    private static final class CountingStore implements PeerStore {
        private final InMemoryPeerStore inner = new InMemoryPeerStore();
        final AtomicInteger transactions = new AtomicInteger();

        @Override
        public <T> T inTransaction(StoreWork<T> work) {
            transactions.incrementAndGet();
            return inner.inTransaction(work);
        }

        @Override
        public <T> T read(StoreWork<T> work) {
            return inner.read(work);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** The in-memory store, until a test says its files were lost. */
    private static final class LosableStore implements PeerStore {
        private final InMemoryPeerStore inner = new InMemoryPeerStore();
        volatile boolean lost;
        volatile boolean closed;

        @Override
        public <T> T inTransaction(StoreWork<T> work) {
            if (lost) {
                throw new StoreLostException("the database file /tmp/peers.db was deleted while the store had it open");
            }
            return inner.inTransaction(work);
        }

        @Override
        public <T> T read(StoreWork<T> work) {
            return inner.read(work);
        }

        @Override
        public void close() {
            closed = true;
            inner.close();
        }
    }

    /** A hello over a raw socket with {@code token}; the broker's answer line. */
    private static String hello(int port, String token) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"hello\",\"params\":{\"protocol\":1,"
                                    + "\"token\":\"" + token + "\"}}\n")
                            .getBytes(StandardCharsets.UTF_8));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        }
    }
}
