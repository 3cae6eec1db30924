package io.agentpeers.broker;

import io.agentpeers.store.postgres.PostgresServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One fresh schema of the test PostgreSQL server that broker processes share: the environment of a broker
 * on it (its {@code PEERS_DB} with the password in {@code PGPASSWORD}, a short lease, its host name), and
 * the rows a test reads to see what the brokers committed.
 *
 * @param address the server's address as the brokers dial it (loopback, or a veth address in another
 *                network namespace)
 */
record SharedSchema(PostgresServer server, String schema, String address) {
    /** Lease and fallback poll of the test brokers: short, so a dead broker's peers go within seconds. */
    static final String LEASE_MS = "3000";

    static final String POLL_MS = "500";

    static SharedSchema fresh(PostgresServer server, String address) {
        return new SharedSchema(server, server.freshSchema(), address);
    }

    /** The environment of a broker process on this schema, announcing itself as {@code host} (null: the system's). */
    Map<String, String> brokerEnv(String host) {
        Map<String, String> env = new HashMap<>();
        env.put(
                "PEERS_DB",
                "postgresql://" + server.user() + "@" + address + ":" + server.port() + "/" + server.database()
                        + "?schema=" + schema);
        env.put("PGPASSWORD", server.password());
        env.put("PEERS_LEASE_MS", LEASE_MS);
        env.put("PEERS_POLL_MS", POLL_MS);
        if (host != null) {
            env.put("PEERS_HOST", host);
        }
        env.put("PEERS_RATE", "100000/100000");
        return env;
    }

    /** The first column of every row {@code sql} returns, as text (from this JVM, over loopback). */
    List<String> strings(String sql) {
        return server.strings(schema, sql);
    }
}
