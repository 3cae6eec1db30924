package io.agentpeers.store.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpeers.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.Driver;

/**
 * A real PostgreSQL server for the tests of one JVM: a {@link PostgresCluster} started at first use, on
 * 127.0.0.1 and a free port, with a random password (SCRAM), no Unix socket and {@code fsync} off, since the
 * folder goes at the end anyway. Each test gets a fresh schema of one database ({@link #freshSchema()}):
 * milliseconds, where a database per test would copy a template. Without the binaries, or under root without
 * a user to run the server as, the tests are skipped, saying why. Stopped at the JVM's exit (a shutdown hook,
 * and the cluster's watchdog should the JVM be killed).
 */
public final class PostgresServer implements AutoCloseable {
    private static final String DATABASE = "peers_test";
    private static final String USER = "peers";

    private static PostgresServer shared;
    private static String unavailable;

    private final PostgresCluster cluster;
    private final AtomicInteger schemas = new AtomicInteger();

    private PostgresServer(PostgresCluster cluster) {
        this.cluster = cluster;
    }

    /** The server of this JVM, started at the first call; skips the calling test when there is none to start. */
    public static synchronized PostgresServer shared() {
        if (shared == null && unavailable == null) {
            unavailable = PostgresCluster.whyUnavailable().orElse(null);
            if (unavailable == null) {
                shared = start(PostgresCluster.Settings.loopback());
                Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "postgres-test-server-stop"));
            }
        }
        assumeTrue(unavailable == null, () -> "no PostgreSQL server for the tests: " + unavailable);
        return shared;
    }

    /**
     * A server of the calling test's own, on {@code settings}' addresses (a veth address besides loopback);
     * skips the test when there is none to start. The test closes it.
     */
    public static PostgresServer dedicated(PostgresCluster.Settings settings) {
        String why = PostgresCluster.whyUnavailable().orElse(null);
        assumeTrue(why == null, () -> "no PostgreSQL server for the tests: " + why);
        return start(settings);
    }

    /**
     * A server of the calling test's own on loopback, which it may stop and start again ({@link #stopFast()},
     * {@link #startAgain()}); the test closes it. Skips the test when there is none to start.
     */
    public static PostgresServer startPrivate() {
        return dedicated(PostgresCluster.Settings.loopback());
    }

    /** Stops the server as {@code pg_ctl stop -m fast} does (SIGINT: sessions are ended); its data stays. */
    public void stopFast() {
        cluster.stopFast();
    }

    /** Starts the stopped server again on the same port and waits until it accepts connections. */
    public void startAgain() {
        cluster.startAgain();
    }

    private static PostgresServer start(PostgresCluster.Settings settings) {
        PostgresServer server = new PostgresServer(PostgresCluster.start(USER, settings));
        try {
            server.createDatabase();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** A new, empty schema in the test database; its name. */
    public String freshSchema() {
        String schema = "t" + schemas.incrementAndGet();
        execute("CREATE SCHEMA " + schema);
        return schema;
    }

    /** The URL of the test database with {@code schema} as the connection's current schema. */
    String url(String schema) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE + "?currentSchema=" + schema;
    }

    /** The server's port on 127.0.0.1. */
    public int port() {
        return cluster.port();
    }

    /** The user the tests connect as. */
    public String user() {
        return USER;
    }

    /** The test database's name. */
    public String database() {
        return DATABASE;
    }

    /** The password of {@link #user()}, for a test's PGPASSWORD (never on a command line). */
    public String password() {
        return cluster.password();
    }

    /** The user and password (never on a command line). */
    Properties credentials() {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", password());
        return p;
    }

    /** Runs {@code sql} in the test database, auto-committed. */
    void execute(String sql) {
        try (Connection c = connect(DATABASE);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("the test server refused " + sql + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code sql} in {@code schema} of the test database, auto-committed. */
    public void execute(String schema, String sql) {
        try (Connection c = connect(DATABASE);
                Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The first column of every row {@code sql} returns in {@code schema}, as text. */
    public List<String> strings(String schema, String sql) {
        try (Connection c = connect(DATABASE);
                Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            try (ResultSet rs = s.executeQuery(sql)) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    Connection connect(String database) throws SQLException {
        Connection c = new Driver().connect("jdbc:postgresql://127.0.0.1:" + port() + "/" + database, credentials());
        if (c == null) {
            throw new SQLException("the driver refused the URL");
        }
        return c;
    }

    /** Stops the server and deletes its folder. */
    @Override
    public void close() {
        cluster.close();
    }

    private void createDatabase() {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE + " TEMPLATE template0 ENCODING 'UTF8'");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test database: " + e.getMessage(), e);
        }
    }
}
