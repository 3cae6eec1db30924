package io.agentpeers.store.sqlite;

import io.agentpeers.core.Message;
import io.agentpeers.core.Peer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Run by {@link KillDurabilityTest} in a child JVM: commits one message per transaction and prints
 * each id once its commit returned, until it is killed (or, should nobody kill it, for a bounded
 * count and time).
 */
public final class DurabilityChild {
    static final int MAX_MESSAGES = 200_000;
    static final Duration MAX_TIME = Duration.ofSeconds(60);

    private DurabilityChild() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        long deadline = System.nanoTime() + MAX_TIME.toNanos();
        try (SqlitePeerStore store = SqlitePeerStore.open(Path.of(args[0]))) {
            Peer peer = Fixtures.livePeer("target", "/w", Fixtures.T0);
            store.inTransaction(tx -> {
                tx.insertPeer(peer);
                return null;
            });
            for (int i = 0; i < MAX_MESSAGES && System.nanoTime() < deadline; i++) {
                String text = "message " + i;
                Message m =
                        store.inTransaction(tx -> tx.insertMessage(Fixtures.message(peer, peer, text, Instant.now())));
                out.println(m.id() + " " + text);
                out.flush();
            }
        }
    }
}
