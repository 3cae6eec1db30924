package io.agentpeers.mcp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.StoreException;
import io.agentpeers.core.StoreUnavailableException;
import org.junit.jupiter.api.Test;

/** What a model reads when the broker cannot reach its database: that, that no mail is lost, and what to do. */
class StoreUnavailableRefusalTest {

    @Test
    void aToolRefusedForAnOutageSaysTheDatabaseIsOutOfReachAndNoMailIsLost() {
        String text = PeerTools.refusal(new StoreUnavailableException(
                "the broker cannot reach its database jdbc:postgresql://db:5432/peers since 2026-01-01T00:00:00Z"));
        assertTrue(text.startsWith("The peers broker cannot reach its database right now"), text);
        assertTrue(text.contains("No mail is lost"), text);
        assertTrue(text.contains("Try again in a few seconds"), text);
        assertTrue(text.contains("jdbc:postgresql://db:5432/peers"), "the broker's own sentence stays: " + text);
    }

    @Test
    void anyOtherStoreFailureIsNotToldThatItPasses() {
        String text = PeerTools.refusal(new StoreException("the database file /tmp/peers.db was deleted"));
        assertTrue(!text.contains("No mail is lost"), text);
    }
}
