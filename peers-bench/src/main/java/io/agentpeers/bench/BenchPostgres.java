package io.agentpeers.bench;

import io.agentpeers.store.postgres.PostgresUrl;
import io.agentpeers.testkit.PostgresCluster;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The PostgreSQL database of the network benchmark, with a schema of the run's own (dropped at the end): the one
 * {@code PEERS_BENCH_PG} names ({@code postgresql://USER@HOST:PORT/DB}, the password in {@code PGPASSWORD} or
 * {@code ~/.pgpass} as for a broker), else a throwaway {@link PostgresCluster} in a temporary folder, durable
 * (fsync on: the SQLite broker it is compared with fsyncs too). {@link #find()} says why there is none.
 */
final class BenchPostgres implements AutoCloseable {
    static final String VARIABLE = "PEERS_BENCH_PG";
    private static final String USER = "peers";
    private static final String DATABASE = "peers_bench";

    private final PostgresUrl url;
    private final Map<String, String> env;
    private final PostgresCluster cluster;
    private final String source;

    private BenchPostgres(PostgresUrl url, Map<String, String> env, PostgresCluster cluster, String source) {
        this.url = url;
        this.env = env;
        this.cluster = cluster;
        this.source = source;
    }

    /** A database with a fresh schema of this run, or why there is none (the rows then say "skipped: why"). */
    static Result find() {
        String given = System.getenv(VARIABLE);
        String schema = "peers_bench_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        if (given != null && !given.isBlank()) {
            PostgresUrl base;
            try {
                base = PostgresUrl.parse(given.strip());
            } catch (RuntimeException e) {
                return Result.none(VARIABLE + " is no PostgreSQL URL: " + e.getMessage());
            }
            Map<String, String> env = new HashMap<>();
            if (System.getenv("PGPASSWORD") != null) {
                env.put("PGPASSWORD", System.getenv("PGPASSWORD"));
            }
            BenchPostgres db = new BenchPostgres(withSchema(base, schema), env, null, VARIABLE + " " + base);
            return db.prepared(null);
        }
        Optional<String> why = PostgresCluster.whyUnavailable();
        if (why.isPresent()) {
            return Result.none("no " + VARIABLE + " and no throwaway cluster: " + why.get());
        }
        PostgresCluster cluster;
        try {
            cluster = PostgresCluster.start(
                    USER, new PostgresCluster.Settings(java.util.List.of("127.0.0.1"), java.util.List.of(), true));
        } catch (RuntimeException e) {
            return Result.none("the throwaway cluster did not start: " + e.getMessage());
        }
        PostgresUrl url = new PostgresUrl("127.0.0.1", cluster.port(), DATABASE, USER, schema, null);
        BenchPostgres db = new BenchPostgres(
                url,
                Map.of("PGPASSWORD", cluster.password()),
                cluster,
                "throwaway cluster (fsync on), pid " + cluster.pid());
        return db.prepared(DATABASE);
    }

    /** A database, or the reason there is none. */
    record Result(BenchPostgres database, String missing) {
        static Result none(String why) {
            return new Result(null, why);
        }
    }

    private Result prepared(String createDatabase) {
        try {
            if (createDatabase != null) {
                PostgresUrl server = new PostgresUrl(url.host(), url.port(), "postgres", url.user(), null, null);
                try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.properties(env));
                        Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + createDatabase);
                }
            }
            execute("CREATE SCHEMA " + url.schema(), false);
            return new Result(this, null);
        } catch (SQLException | RuntimeException e) {
            close();
            return Result.none("cannot prepare " + source + ": " + e.getMessage());
        }
    }

    /** The {@code PEERS_DB} of a broker on this run's schema (no password in it). */
    String brokerUrl() {
        return url.toString();
    }

    /** What a broker needs besides {@code PEERS_DB}: the password, as PGPASSWORD (never on a command line). */
    Map<String, String> brokerEnv() {
        Map<String, String> out = new HashMap<>();
        out.put("PEERS_DB", brokerUrl());
        if (env.containsKey("PGPASSWORD")) {
            out.put("PGPASSWORD", env.get("PGPASSWORD"));
        }
        return out;
    }

    String source() {
        return source;
    }

    /** Runs {@code sql} on this run's schema, auto-committed. */
    void execute(String sql) throws SQLException {
        execute(sql, true);
    }

    private void execute(String sql, boolean inSchema) throws SQLException {
        PostgresUrl target = inSchema
                ? url
                : new PostgresUrl(url.host(), url.port(), url.database(), url.user(), null, url.sslMode());
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.properties(env));
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The commits of the database so far ({@code pg_stat_database.xact_commit}; flushed about once a second). */
    long commits() throws SQLException {
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.properties(env));
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Drops this run's schema, and stops the throwaway cluster if there is one. */
    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
            return;
        }
        try {
            execute("DROP SCHEMA IF EXISTS " + url.schema() + " CASCADE", false);
        } catch (SQLException | RuntimeException e) {
            // best effort: the schema has a name of its own
        }
    }

    private static PostgresUrl withSchema(PostgresUrl base, String schema) {
        return new PostgresUrl(base.host(), base.port(), base.database(), base.user(), schema, base.sslMode());
    }
}
