package io.agentpeers.store.postgres;

import static io.agentpeers.testkit.StoreContractFixtures.message;
import static io.agentpeers.testkit.StoreContractFixtures.peer;

import io.agentpeers.core.Peer;
import io.agentpeers.core.port.StoreTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Not part of the build (the name matches none of surefire's patterns): run by hand to measure commit
 * rates and lookups against the test server, which runs with fsync off, so commits cost less than on a
 * server that flushes: {@code mvn -o -pl peers-store-postgres -am verify -Dtest=PostgresStoreBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}, the figures in target/surefire-reports/*Benchmark-output.txt.
 */
class PostgresStoreBenchmark {
    @Test
    void measure() {
        PostgresServer server = PostgresServer.shared();
        String text = "x".repeat(200);
        try (PostgresPeerStore store = PostgresPeerStore.open(server.url(server.freshSchema()), server.credentials())) {
            Peer a = peer("a").build();
            Peer b = peer("b").build();
            Peer c = peer("c").build();
            store.inTransaction(tx -> {
                tx.insertPeer(a);
                tx.insertPeer(b);
                tx.insertPeer(c);
                for (int j = 0; j < 5; j++) {
                    tx.insertMessage(message(a, c, text, Instant.now()));
                }
                return null;
            });
            int single = 3_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < single; i++) {
                store.inTransaction(tx -> tx.insertMessage(message(a, b, text, Instant.now())));
            }
            double singleRate = single / ((System.nanoTime() - t0) / 1e9);

            int batches = 60;
            t0 = System.nanoTime();
            for (int i = 0; i < batches; i++) {
                store.inTransaction(tx -> {
                    for (int j = 0; j < 500; j++) {
                        tx.insertMessage(message(a, b, text, Instant.now()));
                    }
                    return null;
                });
            }
            double batchRate = batches * 500 / ((System.nanoTime() - t0) / 1e9);
            long total = store.read(tx -> tx.counts().messages());

            int lookups = 2_000;
            t0 = System.nanoTime();
            for (int i = 0; i < lookups; i++) {
                List<?> l = store.read(tx -> tx.pendingMessages(b.id(), 20));
                if (l.size() != 20) {
                    throw new IllegalStateException("expected 20 pending, got " + l.size());
                }
            }
            double lookupMicros = (System.nanoTime() - t0) / 1e3 / lookups;
            t0 = System.nanoTime();
            for (int i = 0; i < lookups; i++) {
                store.read(tx -> tx.findPeer(c.id()));
            }
            double findMicros = (System.nanoTime() - t0) / 1e3 / lookups;
            t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                store.read(StoreTransaction::counts);
            }
            double countsMillis = (System.nanoTime() - t0) / 1e6 / 20;
            System.out.printf(
                    "single-row commits %.0f/s; 500-row transactions %.0f rows/s; %d messages:"
                            + " pending(20) of a recipient with ~%d pending %.0f us (a read transaction each);"
                            + " findPeer %.0f us; counts %.1f ms%n",
                    singleRate, batchRate, total, total, lookupMicros, findMicros, countsMillis);
        }
    }

    /** The same 500-row transactions on plain JDBC with one prepared statement: what Jdbi's layer costs. */
    @Test
    void measurePlainJdbc() throws Exception {
        PostgresServer server = PostgresServer.shared();
        String schema = server.freshSchema();
        PostgresPeerStore.open(server.url(schema), server.credentials()).close();
        server.execute("INSERT INTO " + schema + ".peers (id, cwd, client_type, registered_at, last_seen, state)"
                + " VALUES ('b', '/w', 'generic', 0, 0, 'live')");
        String text = "x".repeat(200);
        try (Connection c = server.connect("peers_test")) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + schema
                    + ".messages (sender_id, recipient_id, text, reply_to, sent_at, state)"
                    + " VALUES (?, ?, ?, ?, ?, 'pending') RETURNING id")) {
                int batches = 60;
                long t0 = System.nanoTime();
                for (int i = 0; i < batches; i++) {
                    for (int j = 0; j < 500; j++) {
                        insert.setString(1, "a");
                        insert.setString(2, "b");
                        insert.setString(3, text);
                        insert.setNull(4, Types.BIGINT);
                        insert.setLong(5, System.currentTimeMillis());
                        try (ResultSet rs = insert.executeQuery()) {
                            rs.next();
                        }
                    }
                    c.commit();
                }
                System.out.printf(
                        "plain JDBC: 500-row transactions %.0f rows/s%n",
                        batches * 500 / ((System.nanoTime() - t0) / 1e9));
            }
        }
    }
}
