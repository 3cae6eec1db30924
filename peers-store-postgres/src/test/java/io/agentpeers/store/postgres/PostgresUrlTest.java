package io.agentpeers.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.InvalidArgumentException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PostgresUrlTest {

    @Test
    void aFullUrlIsReadIntoTheDriversUrlAndProperties() {
        PostgresUrl url = PostgresUrl.parse("postgresql://agent@db.example:6543/peers?schema=team_a&sslmode=require");

        assertEquals(new PostgresUrl("db.example", 6543, "peers", "agent", "team_a", "require"), url);
        assertEquals("jdbc:postgresql://db.example:6543/peers", url.jdbcUrl());
        Properties expected = new Properties();
        expected.setProperty("user", "agent");
        expected.setProperty("currentSchema", "team_a");
        expected.setProperty("sslmode", "require");
        assertEquals(expected, url.properties(Map.of()));
        assertEquals("postgresql://agent@db.example:6543/peers?schema=team_a&sslmode=require", url.toString());
    }

    @Test
    void theShortestUrlTakesTheDefaults() {
        PostgresUrl url = PostgresUrl.parse("postgres://localhost/peers");

        assertEquals(new PostgresUrl("localhost", 5432, "peers", null, null, null), url);
        assertEquals(new Properties(), url.properties(Map.of()));
        assertEquals("postgresql://localhost/peers", url.toString());
    }

    @Test
    void anIpv6AddressAndEscapedNamesRoundTrip() {
        PostgresUrl url = PostgresUrl.parse("postgresql://d%C3%A9v%40x@[::1]:5433/my%20db");

        assertEquals(new PostgresUrl("::1", 5433, "my db", "dév@x", null, null), url);
        assertEquals("jdbc:postgresql://[::1]:5433/my%20db", url.jdbcUrl());
        assertEquals(url, PostgresUrl.parse(url.toString()));
    }

    @Test
    void thePasswordComesFromPgpasswordOnly() {
        PostgresUrl url = PostgresUrl.parse("postgresql://agent@localhost/peers");
        assertEquals("s3cret", url.properties(Map.of("PGPASSWORD", "s3cret")).getProperty("password"));
        assertFalse(url.properties(Map.of("PGPASSWORD", "")).containsKey("password"));
    }

    @Test
    void aPasswordInTheUrlIsRefusedWithoutQuotingIt() {
        for (String withPassword : new String[] {
            "postgresql://agent:hunter2@localhost/peers", "postgresql://agent@localhost/peers?password=hunter2"
        }) {
            InvalidArgumentException e =
                    assertThrows(InvalidArgumentException.class, () -> PostgresUrl.parse(withPassword));
            assertTrue(e.getMessage().contains("PGPASSWORD or ~/.pgpass"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        }
    }

    @Test
    void badUrlsAreRefusedSayingWhatIsWrong() {
        Map<String, String> why = Map.of(
                "mysql://localhost/peers", "must start with postgresql://",
                "postgresql://localhost", "names no database",
                "postgresql://localhost/", "names no database",
                "postgresql:///peers", "names no host",
                "postgresql://localhost:0/peers", "port must be a number from 1 to 65535",
                "postgresql://localhost:http/peers", "port must be a number",
                "postgresql://a,b/peers", "only one host",
                "postgresql://localhost/peers?currentSchema=x", "unknown parameter 'currentSchema'",
                "postgresql://localhost/peers/more", "must not contain '/'");
        why.forEach((url, reason) -> {
            InvalidArgumentException e =
                    assertThrows(InvalidArgumentException.class, () -> PostgresUrl.parse(url), url);
            assertTrue(e.getMessage().contains(reason), url + ": " + e.getMessage());
        });
    }

    @Test
    void onlyPostgresqlSchemesLookLikeOne() {
        assertTrue(PostgresUrl.looksLikeOne("postgresql://h/d"));
        assertTrue(PostgresUrl.looksLikeOne("POSTGRES://h/d"));
        assertFalse(PostgresUrl.looksLikeOne("/home/me/.peers/peers.db"));
        assertFalse(PostgresUrl.looksLikeOne("postgresql.db"));
    }
}
