-- A database as peers 0.1.0 (schema version 1) wrote it. Frozen: never edit this file. Every later
-- peers must open it and read its rows; a new schema version adds a new file like it.
CREATE TABLE schema_version (
    version       INTEGER NOT NULL PRIMARY KEY,
    description   TEXT    NOT NULL,
    applied_at    INTEGER NOT NULL,
    peers_version TEXT    NOT NULL
);
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
);
CREATE UNIQUE INDEX peers_live_name ON peers (name) WHERE state = 'live' AND name IS NOT NULL;
CREATE INDEX peers_name ON peers (name, registered_at) WHERE name IS NOT NULL;
CREATE INDEX peers_live_registered ON peers (registered_at, id) WHERE state = 'live';
CREATE INDEX peers_live_cwd ON peers (cwd, registered_at, id) WHERE state = 'live';
CREATE INDEX peers_live_repo ON peers (repo_key, registered_at, id) WHERE state = 'live';
CREATE INDEX peers_resume_secret ON peers (resume_secret_hash) WHERE resume_secret_hash IS NOT NULL;
CREATE INDEX peers_agent ON peers (agent_pid, agent_start_ticks) WHERE agent_pid IS NOT NULL;
CREATE INDEX peers_gone ON peers (gone_at) WHERE state = 'gone';
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
);
CREATE INDEX messages_recipient_state ON messages (recipient_id, state, id);
CREATE INDEX messages_sender ON messages (sender_id, id);
CREATE INDEX messages_state_sent ON messages (state, sent_at);
INSERT INTO schema_version VALUES (1, 'peers and messages', 1767258000000, '0.1.0');
INSERT INTO peers VALUES ('k3v9q2m7xa', 'builder', 4242, 1000, 777, 4241, 1000, 666, '/work/app', '/work/app',
    '/work/app/.git', '/dev/pts/3', 'claude-code', 'building', 1767258000000, 1767258060000, 'live', NULL, NULL,
    'abababababababababababababababababababababababababababababababab');
INSERT INTO peers VALUES ('p0tcpguest', NULL, NULL, NULL, NULL, NULL, NULL, NULL, '/tmp', NULL, NULL, NULL,
    'generic', '', 1767258000000, 1767258000000, 'gone', 1767258120000, 1767344520000, NULL);
INSERT INTO messages VALUES (7, 'p0tcpguest', 'k3v9q2m7xa', 'hello from v1', NULL, 1767258030000, 1767258031000,
    NULL, 'delivered');
INSERT INTO messages VALUES (8, 'broker', 'p0tcpguest', 'notice', 7, 1767258040000, NULL, NULL, 'pending');
