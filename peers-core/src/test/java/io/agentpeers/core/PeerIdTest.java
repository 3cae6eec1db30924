package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeerIdTest {

    @Test
    void anIdIsOneToSixtyFourLowerCaseLettersAndDigits() {
        for (String good : new String[] {"a", "0", "broker", "k3x9q2m7vd", "z".repeat(64)}) {
            assertTrue(PeerId.looksLikeId(good), good);
            assertEquals(good, new PeerId(good).value());
        }
        for (String bad : new String[] {"", "z".repeat(65), "Alice", "my-peer", "a b", "é", "a/b", "a_b", "a:"}) {
            assertFalse(PeerId.looksLikeId(bad), bad);
            assertThrows(InvalidArgumentException.class, () -> new PeerId(bad), bad);
        }
        assertFalse(PeerId.looksLikeId(null));
    }

    @Test
    void randomIdsHaveTheShape() {
        for (int i = 0; i < 100; i++) {
            PeerId id = PeerId.random();
            assertEquals(10, id.value().length());
            assertDoesNotThrow(() -> new PeerId(id.value()));
        }
    }
}
