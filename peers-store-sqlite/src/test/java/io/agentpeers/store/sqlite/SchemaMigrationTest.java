package io.agentpeers.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageKind;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.Peer;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerState;
import io.agentpeers.core.ProcessRef;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.Urgency;
import io.agentpeers.core.port.StoreTransaction;
import io.agentpeers.store.sqlite.internal.MessageDao;
import io.agentpeers.store.sqlite.internal.Migration;
import io.agentpeers.store.sqlite.internal.Schema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaMigrationTest {
    @TempDir
    Path dir;

    @Test
    void migrationsAreNumberedOneByOneFromOne() {
        List<Migration> steps = Schema.MIGRATIONS;
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i + 1, steps.get(i).version(), steps.get(i).description());
        }
    }

    @Test
    void aNewFileGetsEveryStepAndRecordsTheLatestVersion() throws Exception {
        Path file = dir.resolve("peers.db");
        SqlitePeerStore.open(file).close();
        List<Integer> versions = new ArrayList<>();
        try (Connection c = jdbc(file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        assertEquals(Schema.latestVersion(), versions.get(versions.size() - 1));
        assertEquals(Schema.MIGRATIONS.size(), versions.size());
        assertEquals(List.of("claims", "messages", "peers", "schema_version"), tables(file));
        assertFalse(indexes(file).contains("peers_live_cwd"), "dropped by step 2");
        assertTrue(indexes(file).contains("peers_live_registered"));
    }

    @Test
    void anEmptyExistingFileIsMigrated() throws Exception {
        Path file = Files.createFile(dir.resolve("empty.db"));
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            assertEquals(0, store.read(StoreTransaction::counts).messages());
        }
        assertEquals(List.of("claims", "messages", "peers", "schema_version"), tables(file));
    }

    @Test
    void aDatabaseFromANewerPeersIsRefusedAndLeftAlone() throws Exception {
        Path file = dir.resolve("peers.db");
        SqlitePeerStore.open(file).close();
        int newer = Schema.latestVersion() + 1;
        try (Connection c = jdbc(file);
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO schema_version VALUES (" + newer + ", 'from the future', 0, '9.4.2')");
        }
        StoreException e = assertThrows(StoreException.class, () -> SqlitePeerStore.open(file));
        assertTrue(e.getMessage().contains("schema version " + newer), e.getMessage());
        assertTrue(e.getMessage().contains("use peers 9.4.2 or later"), e.getMessage());
        try (Connection c = jdbc(file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT max(version), count(*) FROM schema_version")) {
            assertTrue(rs.next());
            assertEquals(newer, rs.getInt(1));
            assertEquals(Schema.latestVersion() + 1, rs.getInt(2));
        }
    }

    @Test
    void aDatabaseOfAnotherProgramIsRefused() throws Exception {
        Path file = dir.resolve("other.db");
        try (Connection c = jdbc(file);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)");
        }
        StoreException e = assertThrows(StoreException.class, () -> SqlitePeerStore.open(file));
        assertTrue(e.getMessage().contains("not a peers database"), e.getMessage());
        assertEquals(List.of("invoices"), tables(file));
    }

    @Test
    void aFileThatIsNoDatabaseIsRefused() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "these are not the pages you are looking for ".repeat(200));
        StoreException e = assertThrows(StoreException.class, () -> SqlitePeerStore.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aDatabaseWrittenBySchemaVersionOneStillOpens() throws Exception {
        Path file = dir.resolve("v1.db");
        try (Connection c = jdbc(file);
                Statement s = c.createStatement()) {
            for (String statement : script("schema-v1.sql")) {
                s.execute(statement);
            }
        }
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            Peer builder =
                    store.read(tx -> tx.findPeer(new PeerId("k3v9q2m7xa"))).orElseThrow();
            assertEquals(
                    new Peer(
                            new PeerId("k3v9q2m7xa"),
                            "builder",
                            new ProcessRef(4242, 1000, 777),
                            new ProcessRef(4241, 1000, 666),
                            "/work/app",
                            "/work/app",
                            "/work/app/.git",
                            null,
                            "/dev/pts/3",
                            ClientType.CLAUDE_CODE,
                            "building",
                            Instant.ofEpochMilli(1767258000000L),
                            Instant.ofEpochMilli(1767258060000L),
                            PeerState.LIVE,
                            null,
                            null,
                            "ab".repeat(32)),
                    builder);
            Message hello = store.read(tx -> tx.findMessage(7)).orElseThrow();
            assertEquals("hello from v1", hello.text());
            assertEquals(MessageState.DELIVERED, hello.state());
            assertEquals(
                    List.of(8L),
                    store.read(tx -> tx.pendingMessages(new PeerId("p0tcpguest"), 10)).stream()
                            .map(Message::id)
                            .toList());
            long next = store.inTransaction(tx -> tx.insertMessage(Fixtures.message(
                            builder, builder, "after the upgrade", Instant.ofEpochMilli(1767258090000L)))
                    .id());
            assertTrue(next > 8, "ids go on after the old ones: " + next);
        }
        List<String> indexes = indexes(file);
        assertFalse(indexes.contains("peers_live_cwd") || indexes.contains("peers_live_repo"), indexes.toString());
        assertTrue(indexes.contains("peers_agent"), indexes.toString());
    }

    /** Step 5 rebuilds the messages table: rows, their ids and the never-reuse counter come along. */
    @Test
    void theMessagesRebuildKeepsRowsAndIdsNeverComeBack() throws Exception {
        Path file = dir.resolve("v1-pruned.db");
        try (Connection c = jdbc(file);
                Statement s = c.createStatement()) {
            for (String statement : script("schema-v1.sql")) {
                s.execute(statement);
            }
            // Messages up to 100 were sent, and the newest ones pruned since.
            s.execute("UPDATE sqlite_sequence SET seq = 100 WHERE name = 'messages'");
        }
        try (SqlitePeerStore store = SqlitePeerStore.open(file)) {
            Message hello = store.read(tx -> tx.findMessage(7)).orElseThrow();
            assertEquals("hello from v1", hello.text());
            assertEquals(MessageKind.MESSAGE, hello.kind());
            assertEquals(Urgency.NORMAL, hello.urgency());
            Peer builder =
                    store.read(tx -> tx.findPeer(new PeerId("k3v9q2m7xa"))).orElseThrow();
            long next = store.inTransaction(tx -> tx.insertMessage(Fixtures.message(
                            builder, builder, "after the rebuild", Instant.ofEpochMilli(1767258090000L)))
                    .id());
            assertEquals(101, next, "no id of a pruned message is given again");
        }
        assertEquals(List.of("claims", "messages", "peers", "schema_version"), tables(file));
        assertTrue(indexes(file)
                .containsAll(List.of(
                        "messages_recipient_state", "messages_sender", "messages_state_sent", "messages_reply_to")));
    }

    /**
     * The ping-pong guard reads a pair's newest messages at every send between agents: both directions by
     * {@code messages_pair} and only its newest ones, not a walk over everything either peer sent (an OR over both
     * directions did that, through {@code messages_sender}, then sorted it all).
     */
    @Test
    void aPairsHistoryIsReadThroughThePairIndex() throws Exception {
        Path file = dir.resolve("plan.db");
        SqlitePeerStore.open(file).close();
        String sql = MessageDao.class
                .getMethod("historyWith", String.class, String.class, int.class)
                .getAnnotation(SqlQuery.class)
                .value()
                .replace(":peer", "'a'")
                .replace(":other", "'b'")
                .replace(":limit", "20");
        List<String> plan = new ArrayList<>();
        try (Connection c = jdbc(file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            while (rs.next()) {
                plan.add(rs.getString("detail"));
            }
        }
        assertEquals(
                2,
                plan.stream()
                        .filter(step -> step.contains("USING INDEX messages_pair (sender_id=? AND recipient_id=?)"))
                        .count(),
                plan.toString());
        assertFalse(plan.stream().anyMatch(step -> step.contains("messages_sender")), plan.toString());
        // Each direction stops after its newest ones; an OR gathers all of the pair's rows before it sorts.
        assertFalse(plan.stream().anyMatch(step -> step.contains("MULTI-INDEX OR")), plan.toString());
    }

    private static Connection jdbc(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    private static List<String> tables(Path file) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = jdbc(file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static List<String> indexes(Path file) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = jdbc(file);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite%' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static List<String> script(String resource) throws IOException {
        try (InputStream in = SchemaMigrationTest.class.getResourceAsStream(resource)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> statements = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : text.split("\n")) {
                if (line.startsWith("--")) {
                    continue;
                }
                current.append(line).append('\n');
                if (line.endsWith(";")) {
                    statements.add(current.toString());
                    current.setLength(0);
                }
            }
            return statements;
        }
    }
}
