package io.agentpeers.store.sqlite;

import io.agentpeers.core.Peer;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.store.sqlite.internal.DatabaseFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Not a test: run by hand to measure commit rates, a pending-message lookup and the check of the
 * database's files that precedes each commit on this machine.
 * {@code java -cp <test classpath> io.agentpeers.store.sqlite.SqliteStoreBenchmark [dir]}
 */
public final class SqliteStoreBenchmark {
    private SqliteStoreBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("peers-bench");
        String text = "x".repeat(200);
        for (int run = 0; run < 3; run++) {
            Path file = dir.resolve("bench-" + run + ".db");
            try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
                Peer a = Fixtures.livePeer("a", "/w", Fixtures.T0);
                Peer b = Fixtures.livePeer("b", "/w", Fixtures.T0);
                store.inTransaction(tx -> {
                    tx.insertPeer(a);
                    tx.insertPeer(b);
                    return null;
                });
                int single = 5_000;
                long t0 = System.nanoTime();
                for (int i = 0; i < single; i++) {
                    store.inTransaction(tx -> tx.insertMessage(Fixtures.message(a, b, text, Instant.now())));
                }
                double singleRate = single / ((System.nanoTime() - t0) / 1e9);

                int batches = 190;
                t0 = System.nanoTime();
                for (int i = 0; i < batches; i++) {
                    store.inTransaction(tx -> {
                        for (int j = 0; j < 500; j++) {
                            tx.insertMessage(Fixtures.message(a, b, text, Instant.now()));
                        }
                        return null;
                    });
                }
                double batchRate = batches * 500 / ((System.nanoTime() - t0) / 1e9);
                long total = store.read(tx -> tx.counts().messages());

                // The oldest 20 pending of b among everything stored, then of a peer with a few.
                Peer c = Fixtures.livePeer("c", "/w", Fixtures.T0);
                store.inTransaction(tx -> {
                    tx.insertPeer(c);
                    for (int j = 0; j < 5; j++) {
                        tx.insertMessage(Fixtures.message(a, c, text, Instant.now()));
                    }
                    return null;
                });
                int lookups = 2_000;
                t0 = System.nanoTime();
                for (int i = 0; i < lookups; i++) {
                    List<?> l = store.read(tx -> tx.pendingMessages(b.id(), 20));
                    if (l.size() != 20) {
                        throw new IllegalStateException();
                    }
                }
                double lookupMicros = (System.nanoTime() - t0) / 1e3 / lookups;
                t0 = System.nanoTime();
                for (int i = 0; i < lookups; i++) {
                    store.read(tx -> tx.pendingMessages(c.id(), 20));
                }
                double smallMicros = (System.nanoTime() - t0) / 1e3 / lookups;
                t0 = System.nanoTime();
                for (int i = 0; i < 20; i++) {
                    store.read(StoreTransaction::counts);
                }
                double countsMillis = (System.nanoTime() - t0) / 1e6 / 20;
                DatabaseFiles files = DatabaseFiles.of(file);
                int checks = 100_000;
                t0 = System.nanoTime();
                for (int i = 0; i < checks; i++) {
                    files.verify();
                }
                double checkMicros = (System.nanoTime() - t0) / 1e3 / checks;
                System.out.printf(
                        "run %d: single-row commits %.0f/s; 500-row transactions %.0f rows/s; %d messages:"
                                + " pending(20) of a recipient with ~%d pending %.0f us, of one with 5 %.0f us; counts %.1f ms;"
                                + " file check %.1f us%n",
                        run, singleRate, batchRate, total, total, lookupMicros, smallMicros, countsMillis, checkMicros);
            }
        }
    }
}
