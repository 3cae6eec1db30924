package io.agentpeers.store.postgres.internal;

import io.agentpeers.core.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema as an ordered list of migrations, and the code that brings a database up to date. The
 * versions are this store's own, not the SQLite store's: its version 1 is what SQLite's steps 1 to 3
 * built.
 *
 * <p>Rules that keep old databases opening in new versions: a released step is never edited or
 * removed, only new steps are appended; each step's version is one more than the previous one's.
 * {@code schema_version} keeps one row per applied step with the peers version that applied it, so
 * that an older peers can tell which version to upgrade to.
 *
 * <p>Every name is unqualified: the tables live in the connection's current schema (the first of its
 * {@code search_path}), so that one database can hold several peers networks in several schemas.
 * Instants are epoch milliseconds in {@code bigint}s, as the port keeps them: exact, and no time zone.
 */
public final class Schema {
    private static final Logger LOG = LoggerFactory.getLogger(Schema.class);

    /** The first key of the migration's transaction lock ("migr"); the second is the schema's hash. */
    private static final int MIGRATION_LOCK_CLASS = 0x6d696772;

    /** The steps, oldest first. Append only. */
    public static final List<Migration> MIGRATIONS = List.of(
            new Migration(
                    1,
                    "peers and messages",
                    List.of(
                            """
                    CREATE TABLE peers (
                        id                   text    NOT NULL PRIMARY KEY,
                        name                 text,
                        conn_pid             bigint,
                        conn_uid             integer,
                        conn_start_ticks     bigint,
                        agent_pid            bigint,
                        agent_uid            integer,
                        agent_start_ticks    bigint,
                        cwd                  text    NOT NULL,
                        git_root             text,
                        repo_key             text,
                        tty                  text,
                        client_type          text    NOT NULL,
                        summary              text    NOT NULL DEFAULT '',
                        registered_at        bigint  NOT NULL,
                        last_seen            bigint  NOT NULL,
                        state                text    NOT NULL CHECK (state IN ('live', 'gone')),
                        gone_at              bigint,
                        name_reserved_until  bigint,
                        resume_secret_hash   text,
                        previous_secret_hash text,
                        session_key          text,
                        CHECK ((conn_pid IS NULL) = (conn_uid IS NULL) AND (conn_pid IS NULL) = (conn_start_ticks IS NULL)),
                        CHECK ((agent_pid IS NULL) = (agent_uid IS NULL) AND (agent_pid IS NULL) = (agent_start_ticks IS NULL))
                    )""",
                            // A safety net under the core's own check: two live peers never share a name.
                            "CREATE UNIQUE INDEX peers_live_name ON peers (name) WHERE state = 'live' AND name IS NOT NULL",
                            "CREATE INDEX peers_name ON peers (name, registered_at) WHERE name IS NOT NULL",
                            "CREATE INDEX peers_live_registered ON peers (registered_at, id) WHERE state = 'live'",
                            "CREATE INDEX peers_resume_secret ON peers (resume_secret_hash) WHERE resume_secret_hash IS NOT NULL",
                            "CREATE INDEX peers_previous_secret ON peers (previous_secret_hash)"
                                    + " WHERE previous_secret_hash IS NOT NULL",
                            "CREATE INDEX peers_session_key ON peers (session_key) WHERE session_key IS NOT NULL",
                            "CREATE INDEX peers_agent ON peers (agent_pid, agent_start_ticks) WHERE agent_pid IS NOT NULL",
                            "CREATE INDEX peers_gone ON peers (gone_at) WHERE state = 'gone'",
                            // An identity column: its sequence never hands out a number twice, even after the
                            // newest message was pruned or its insert rolled back; clients dedupe by id.
                            // sender_id is deliberately not a foreign key: the broker's notices come from
                            // 'broker', which is no peer, and a pruned sender's messages may outlive it.
                            // reply_to is not one either: the message answered may be pruned first.
                            // recipient_id is: a peer's messages go when the peer is deleted.
                            """
                    CREATE TABLE messages (
                        id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        sender_id    text    NOT NULL,
                        recipient_id text    NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
                        text         text    NOT NULL,
                        reply_to     bigint,
                        sent_at      bigint  NOT NULL,
                        delivered_at bigint,
                        read_at      bigint,
                        state        text    NOT NULL
                                     CHECK (state IN ('pending', 'delivered', 'read', 'undeliverable'))
                    )""",
                            // Pending and unread messages of a recipient, oldest first; also the cascade's lookup.
                            "CREATE INDEX messages_recipient_state ON messages (recipient_id, state, id)",
                            "CREATE INDEX messages_sender ON messages (sender_id, id)",
                            // Pruning of read and undeliverable messages by age.
                            "CREATE INDEX messages_state_sent ON messages (state, sent_at)")),
            // Claims go with their holder when it is deleted; the core ends them earlier (TTL, release, grace).
            new Migration(
                    2,
                    "claims on paths: advisory leases of a peer on paths or globs of a repository",
                    List.of(
                            """
                    CREATE TABLE claims (
                        id         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        holder_id  text    NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
                        repo_key   text    NOT NULL,
                        pattern    text    NOT NULL,
                        note       text    NOT NULL DEFAULT '',
                        shared     boolean NOT NULL DEFAULT false,
                        claimed_at bigint  NOT NULL,
                        expires_at bigint  NOT NULL
                    )""",
                            "CREATE INDEX claims_repo ON claims (repo_key, id)",
                            "CREATE INDEX claims_holder ON claims (holder_id, id)",
                            "CREATE INDEX claims_expires ON claims (expires_at)")),
            new Migration(
                    3,
                    "message kind, urgency, held",
                    List.of(
                            "ALTER TABLE messages DROP CONSTRAINT messages_state_check",
                            "ALTER TABLE messages ADD CONSTRAINT messages_state_check"
                                    + " CHECK (state IN ('pending', 'delivered', 'read', 'undeliverable', 'held'))",
                            "ALTER TABLE messages ADD COLUMN kind text NOT NULL DEFAULT 'message'"
                                    + " CHECK (kind IN ('message', 'question', 'broadcast'))",
                            "ALTER TABLE messages ADD COLUMN urgency text NOT NULL DEFAULT 'normal'"
                                    + " CHECK (urgency IN ('interrupt', 'normal', 'fyi'))",
                            "ALTER TABLE messages ADD COLUMN released_at bigint",
                            // The answer to a question.
                            "CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL")),
            // The ping-pong guard reads a pair's newest messages at every send between agents: by this index
            // each direction is at most that many index steps, not a walk over all a sender ever sent.
            new Migration(
                    4,
                    "messages of a pair",
                    List.of("CREATE INDEX messages_pair ON messages (sender_id, recipient_id, id)")),
            // Several brokers on one schema: each peer row names the broker holding it (written from the
            // connection's peers.broker_id, so rows of a store from before take the id of the broker that
            // migrates it), each message the broker that wrote it, and a message to another broker's live
            // peer rings that broker's channel at commit. PostgreSQL folds the same notification of one
            // transaction into one, so a batch of sends rings each broker once.
            new Migration(
                    5,
                    "brokers: heartbeats, the broker of each peer, and a notification per commit to another broker",
                    List.of(
                            """
                    CREATE TABLE brokers (
                        id         text   NOT NULL PRIMARY KEY,
                        host       text,
                        started_at bigint NOT NULL,
                        heartbeat  bigint NOT NULL,
                        lapsed_at  bigint
                    )""",
                            "ALTER TABLE peers ADD COLUMN broker_id text DEFAULT current_setting('peers.broker_id', true)",
                            "CREATE INDEX peers_live_broker ON peers (broker_id) WHERE state = 'live'",
                            "ALTER TABLE messages ADD COLUMN written_by text"
                                    + " DEFAULT current_setting('peers.broker_id', true)",
                            """
                    CREATE FUNCTION peers_ring_recipient() RETURNS trigger LANGUAGE plpgsql AS $$
                    DECLARE
                        holder text;
                    BEGIN
                        SELECT broker_id INTO holder FROM peers WHERE id = NEW.recipient_id;
                        IF holder IS NOT NULL AND holder IS DISTINCT FROM current_setting('peers.broker_id', true) THEN
                            PERFORM pg_notify('peers_' || md5(current_schema() || '/' || holder), '');
                        END IF;
                        RETURN NULL;
                    END
                    $$""",
                            "CREATE TRIGGER messages_ring AFTER INSERT OR UPDATE OF state ON messages FOR EACH ROW"
                                    + " WHEN (NEW.state = 'pending') EXECUTE FUNCTION peers_ring_recipient()")),
            // Scope repo across hosts: the git common dir is a path of one host, the remote names the project.
            new Migration(6, "a peer's repository remote", List.of("ALTER TABLE peers ADD COLUMN repo_remote text")),
            // A kill of another broker's peer is a row the holder takes (once: requested -> taken -> done) or
            // that goes void (expired) unanswered. Its insert rings the holder's channel, its answer the
            // asker's. created_at is the server's clock, as the lease's, so that the holder's bound holds
            // whatever the machines' clocks say. Not foreign keys: a request outlives a pruned peer harmlessly.
            new Migration(
                    7,
                    "kill requests across brokers",
                    List.of(
                            """
                    CREATE TABLE kill_requests (
                        id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        caller_id   text    NOT NULL,
                        caller_uid  integer NOT NULL,
                        caller_user text,
                        asked_by    text    NOT NULL,
                        victim_id   text    NOT NULL,
                        holder      text    NOT NULL,
                        created_at  bigint  NOT NULL
                                    DEFAULT CAST(extract(epoch FROM clock_timestamp()) * 1000 AS bigint),
                        state       text    NOT NULL DEFAULT 'requested'
                                    CHECK (state IN ('requested', 'taken', 'done', 'expired')),
                        taken_at    bigint,
                        done_at     bigint,
                        signalled   boolean,
                        refusal     text    CHECK (refusal IN ('kill_refused', 'not_authorized')),
                        reason      text
                    )""",
                            "CREATE INDEX kill_requests_waiting ON kill_requests (holder, id) WHERE state = 'requested'",
                            "CREATE INDEX kill_requests_created ON kill_requests (created_at)",
                            """
                    CREATE FUNCTION peers_ring_kill() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        PERFORM pg_notify('peers_' || md5(current_schema() || '/'
                            || CASE WHEN NEW.state = 'requested' THEN NEW.holder ELSE NEW.asked_by END), '');
                        RETURN NULL;
                    END
                    $$""",
                            "CREATE TRIGGER kill_requests_ring AFTER INSERT OR UPDATE OF state ON kill_requests"
                                    + " FOR EACH ROW WHEN (NEW.state IN ('requested', 'done'))"
                                    + " EXECUTE FUNCTION peers_ring_kill()")));

    private Schema() {}

    /** The schema version this peers writes. */
    public static int latestVersion() {
        return MIGRATIONS.get(MIGRATIONS.size() - 1).version();
    }

    /** This peers' own version, as recorded in {@code schema_version}. */
    public static String peersVersion() {
        try (InputStream in = Schema.class.getResourceAsStream("peers-version.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "");
                if (!version.isBlank() && !version.startsWith("${")) {
                    return version;
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot read the peers version", e);
        }
        return "unknown";
    }

    /**
     * Brings the current schema up to the latest version in one transaction (PostgreSQL's DDL is
     * transactional): all steps or none. Refuses a schema that holds tables of another program or
     * whose version is newer than this peers knows. Several brokers may open one schema at once: the
     * migration holds a transaction lock on the schema, so one migrates and the others then find it done.
     * The handle must not be in auto-commit mode.
     */
    public static void migrate(Handle handle, String where) {
        try {
            handle.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:class, hashtext(current_schema()))) AS l")
                    .bind("class", MIGRATION_LOCK_CLASS)
                    .mapTo(Integer.class)
                    .one();
            int current = currentVersion(handle, where);
            if (current > latestVersion()) {
                String writer = handle.createQuery("SELECT peers_version FROM schema_version WHERE version = :v")
                        .bind("v", current)
                        .mapTo(String.class)
                        .findOne()
                        .orElse("unknown");
                throw new StoreException("the database " + where + " has schema version " + current
                        + ", written by peers " + writer + ", but this peers (" + peersVersion()
                        + ") knows schema versions up to " + latestVersion() + ": use peers " + writer
                        + " or later with this database, or point this peers at another database or schema");
            }
            for (Migration step : MIGRATIONS) {
                if (step.version() <= current) {
                    continue;
                }
                for (String statement : step.statements()) {
                    handle.execute(statement);
                }
                handle.createUpdate("INSERT INTO schema_version (version, description, applied_at, peers_version)"
                                + " VALUES (:version, :description, :at, :peers)")
                        .bind("version", step.version())
                        .bind("description", step.description())
                        .bind("at", System.currentTimeMillis())
                        .bind("peers", peersVersion())
                        .execute();
            }
            handle.getConnection().commit();
            if (current == 0) {
                LOG.debug("created schema version {} in {}", latestVersion(), where);
            } else if (current < latestVersion()) {
                LOG.info("migrated {} from schema version {} to {}", where, current, latestVersion());
            }
        } catch (SQLException e) {
            rollbackQuietly(handle, e);
            throw new StoreException("cannot migrate the database " + where + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            rollbackQuietly(handle, e);
            throw e;
        }
    }

    private static void rollbackQuietly(Handle handle, Throwable cause) {
        try {
            handle.getConnection().rollback();
        } catch (SQLException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static int currentVersion(Handle handle, String where) {
        List<String> tables = handle.createQuery("SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = current_schema() ORDER BY table_name")
                .mapTo(String.class)
                .list();
        if (!tables.contains("schema_version")) {
            if (!tables.isEmpty()) {
                throw new StoreException("the current schema of the database " + where
                        + " is not a peers database (it has tables " + tables
                        + " but no schema_version): point peers at another database or schema");
            }
            handle.execute("""
                    CREATE TABLE schema_version (
                        version       integer NOT NULL PRIMARY KEY,
                        description   text    NOT NULL,
                        applied_at    bigint  NOT NULL,
                        peers_version text    NOT NULL
                    )""");
            return 0;
        }
        return handle.createQuery("SELECT coalesce(max(version), 0) FROM schema_version")
                .mapTo(Integer.class)
                .one();
    }
}
