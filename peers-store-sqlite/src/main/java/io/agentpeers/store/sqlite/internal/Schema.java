package io.agentpeers.store.sqlite.internal;

import io.agentpeers.core.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema as an ordered list of migrations, and the code that brings a database up to date.
 *
 * <p>Rules that keep old databases opening in new versions: a released step is never edited or
 * removed, only new steps are appended; each step's version is one more than the previous one's.
 * {@code schema_version} keeps one row per applied step with the peers version that applied it, so
 * that an older peers can tell which version to upgrade to.
 */
public final class Schema {
    private static final Logger LOG = LoggerFactory.getLogger(Schema.class);

    /** The steps, oldest first. Append only. */
    public static final List<Migration> MIGRATIONS = List.of(
            new Migration(
                    1,
                    "peers and messages",
                    List.of(
                            """
                    CREATE TABLE peers (
                        id                  TEXT    NOT NULL PRIMARY KEY,
                        name                TEXT,
                        conn_pid            INTEGER,
                        conn_uid            INTEGER,
                        conn_start_ticks    INTEGER,
                        agent_pid           INTEGER,
                        agent_uid           INTEGER,
                        agent_start_ticks   INTEGER,
                        cwd                 TEXT    NOT NULL,
                        git_root            TEXT,
                        repo_key            TEXT,
                        tty                 TEXT,
                        client_type         TEXT    NOT NULL,
                        summary             TEXT    NOT NULL DEFAULT '',
                        registered_at       INTEGER NOT NULL,
                        last_seen           INTEGER NOT NULL,
                        state               TEXT    NOT NULL CHECK (state IN ('live', 'gone')),
                        gone_at             INTEGER,
                        name_reserved_until INTEGER,
                        resume_secret_hash  TEXT,
                        CHECK ((conn_pid IS NULL) = (conn_uid IS NULL) AND (conn_pid IS NULL) = (conn_start_ticks IS NULL)),
                        CHECK ((agent_pid IS NULL) = (agent_uid IS NULL) AND (agent_pid IS NULL) = (agent_start_ticks IS NULL))
                    )""",
                            // A safety net under the core's own check: two live peers never share a name.
                            "CREATE UNIQUE INDEX peers_live_name ON peers (name) WHERE state = 'live' AND name IS NOT NULL",
                            "CREATE INDEX peers_name ON peers (name, registered_at) WHERE name IS NOT NULL",
                            "CREATE INDEX peers_live_registered ON peers (registered_at, id) WHERE state = 'live'",
                            "CREATE INDEX peers_live_cwd ON peers (cwd, registered_at, id) WHERE state = 'live'",
                            "CREATE INDEX peers_live_repo ON peers (repo_key, registered_at, id) WHERE state = 'live'",
                            "CREATE INDEX peers_resume_secret ON peers (resume_secret_hash) WHERE resume_secret_hash IS NOT NULL",
                            "CREATE INDEX peers_agent ON peers (agent_pid, agent_start_ticks) WHERE agent_pid IS NOT NULL",
                            "CREATE INDEX peers_gone ON peers (gone_at) WHERE state = 'gone'",
                            // AUTOINCREMENT: ids are never reused, even after the newest message was pruned;
                            // clients dedupe by id.
                            // sender_id is deliberately not a foreign key: the broker's notices come from
                            // 'broker', which is no peer, and a pruned sender's messages may outlive it.
                            // reply_to is not one either: the message answered may be pruned first.
                            // recipient_id is: a peer's messages go when the peer is deleted.
                            """
                    CREATE TABLE messages (
                        id           INTEGER PRIMARY KEY AUTOINCREMENT,
                        sender_id    TEXT    NOT NULL,
                        recipient_id TEXT    NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
                        text         TEXT    NOT NULL,
                        reply_to     INTEGER,
                        sent_at      INTEGER NOT NULL,
                        delivered_at INTEGER,
                        read_at      INTEGER,
                        state        TEXT    NOT NULL
                                     CHECK (state IN ('pending', 'delivered', 'read', 'undeliverable'))
                    )""",
                            // Pending and unread messages of a recipient, oldest first; also the cascade's lookup.
                            "CREATE INDEX messages_recipient_state ON messages (recipient_id, state, id)",
                            "CREATE INDEX messages_sender ON messages (sender_id, id)",
                            // Pruning of read and undeliverable messages by age.
                            "CREATE INDEX messages_state_sent ON messages (state, sent_at)")),
            // No query looks up live peers by cwd or repo key (scopes filter the live list in the core);
            // the two indexes only cost every peer write.
            new Migration(
                    2,
                    "drop the unused live cwd and repo key indexes",
                    List.of("DROP INDEX IF EXISTS peers_live_cwd", "DROP INDEX IF EXISTS peers_live_repo")),
            new Migration(
                    3,
                    "a peer keeps the secret presented at its last resume, and its agent's session key",
                    List.of(
                            "ALTER TABLE peers ADD COLUMN previous_secret_hash TEXT",
                            "ALTER TABLE peers ADD COLUMN session_key TEXT",
                            "CREATE INDEX peers_previous_secret ON peers (previous_secret_hash)"
                                    + " WHERE previous_secret_hash IS NOT NULL",
                            "CREATE INDEX peers_session_key ON peers (session_key) WHERE session_key IS NOT NULL")),
            // Claims go with their holder when it is deleted; the core ends them earlier (TTL, release, grace).
            new Migration(
                    4,
                    "claims on paths: advisory leases of a peer on paths or globs of a repository",
                    List.of(
                            """
                    CREATE TABLE claims (
                        id         INTEGER PRIMARY KEY AUTOINCREMENT,
                        holder_id  TEXT    NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
                        repo_key   TEXT    NOT NULL,
                        pattern    TEXT    NOT NULL,
                        note       TEXT    NOT NULL DEFAULT '',
                        shared     INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
                        claimed_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    )""",
                            "CREATE INDEX claims_repo ON claims (repo_key, id)",
                            "CREATE INDEX claims_holder ON claims (holder_id, id)",
                            "CREATE INDEX claims_expires ON claims (expires_at)")),
            // SQLite cannot change a CHECK constraint: the table is rebuilt with the new state and columns.
            // The AUTOINCREMENT counter is carried over, so that ids stay never reused.
            new Migration(
                    5,
                    "message kind, urgency, held",
                    List.of(
                            """
                    CREATE TABLE messages_v4 (
                        id           INTEGER PRIMARY KEY AUTOINCREMENT,
                        sender_id    TEXT    NOT NULL,
                        recipient_id TEXT    NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
                        text         TEXT    NOT NULL,
                        reply_to     INTEGER,
                        sent_at      INTEGER NOT NULL,
                        delivered_at INTEGER,
                        read_at      INTEGER,
                        state        TEXT    NOT NULL
                                     CHECK (state IN ('pending', 'delivered', 'read', 'undeliverable', 'held')),
                        kind         TEXT    NOT NULL DEFAULT 'message'
                                     CHECK (kind IN ('message', 'question', 'broadcast')),
                        urgency      TEXT    NOT NULL DEFAULT 'normal'
                                     CHECK (urgency IN ('interrupt', 'normal', 'fyi')),
                        released_at  INTEGER
                    )""",
                            "INSERT INTO messages_v4 (id, sender_id, recipient_id, text, reply_to, sent_at,"
                                    + " delivered_at, read_at, state) SELECT id, sender_id, recipient_id, text,"
                                    + " reply_to, sent_at, delivered_at, read_at, state FROM messages",
                            "DELETE FROM sqlite_sequence WHERE name = 'messages_v4'",
                            "INSERT INTO sqlite_sequence (name, seq) SELECT 'messages_v4', seq FROM sqlite_sequence"
                                    + " WHERE name = 'messages'",
                            "DROP TABLE messages",
                            "ALTER TABLE messages_v4 RENAME TO messages",
                            "CREATE INDEX messages_recipient_state ON messages (recipient_id, state, id)",
                            "CREATE INDEX messages_sender ON messages (sender_id, id)",
                            "CREATE INDEX messages_state_sent ON messages (state, sent_at)",
                            // The answer to a question.
                            "CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL")),
            // The ping-pong guard reads a pair's newest messages at every send between agents: by this index
            // each direction is at most that many index steps, not a walk over all a sender ever sent.
            new Migration(
                    6,
                    "messages of a pair",
                    List.of("CREATE INDEX messages_pair ON messages (sender_id, recipient_id, id)")),
            // Scope repo across hosts: the git common dir is a path of one host, the remote names the project.
            new Migration(7, "a peer's repository remote", List.of("ALTER TABLE peers ADD COLUMN repo_remote TEXT")));

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
     * Brings the database up to the latest version in one transaction: all steps or none. Refuses a
     * database that is not a peers database or whose version is newer than this peers knows.
     */
    public static void migrate(Handle handle, String where) {
        handle.execute("BEGIN IMMEDIATE");
        try {
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
                        + " or later with this database, or point this peers at another database file");
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
            handle.execute("COMMIT");
            if (current == 0) {
                LOG.debug("created schema version {} in {}", latestVersion(), where);
            } else if (current < latestVersion()) {
                LOG.info("migrated {} from schema version {} to {}", where, current, latestVersion());
            }
        } catch (RuntimeException e) {
            SqliteTransaction.rollbackQuietly(handle, e);
            throw e;
        }
    }

    private static int currentVersion(Handle handle, String where) {
        List<String> tables = handle.createQuery(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
                .mapTo(String.class)
                .list();
        if (!tables.contains("schema_version")) {
            if (!tables.isEmpty()) {
                throw new StoreException("the database " + where + " is not a peers database (it has tables " + tables
                        + " but no schema_version): point peers at another file");
            }
            handle.execute("""
                    CREATE TABLE schema_version (
                        version       INTEGER NOT NULL PRIMARY KEY,
                        description   TEXT    NOT NULL,
                        applied_at    INTEGER NOT NULL,
                        peers_version TEXT    NOT NULL
                    )""");
            return 0;
        }
        return handle.createQuery("SELECT coalesce(max(version), 0) FROM schema_version")
                .mapTo(Integer.class)
                .one();
    }
}
