package io.agentpeers.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void sendersChoosesTheThroughputRuns() {
        assertArrayEquals(
                new int[] {1, 4, 16},
                BenchOptions.parse(new String[] {"--quick"}).senders());
        assertArrayEquals(
                new int[] {16},
                BenchOptions.parse(new String[] {"--quick", "--senders", "16"}).senders());
        assertArrayEquals(
                new int[] {2, 32},
                BenchOptions.parse(new String[] {"--senders", "2,32"}).senders());
    }

    @Test
    void onlyNetworkChoosesTheBrokersOnPostgres() {
        assertEquals(
                "network",
                BenchOptions.parse(new String[] {"--quick", "--only", "network"})
                        .only());
        BenchOptions.UsageException refused = assertThrows(
                BenchOptions.UsageException.class, () -> BenchOptions.parse(new String[] {"--only", "networks"}));
        assertTrue(refused.getMessage().contains("network"), refused.getMessage());
    }

    @Test
    void sendersRefusesWhatIsNoCount() {
        for (String bad : new String[] {"0", "x", ",", "257"}) {
            BenchOptions.UsageException refused = assertThrows(
                    BenchOptions.UsageException.class, () -> BenchOptions.parse(new String[] {"--senders", bad}), bad);
            assertTrue(
                    refused.getMessage().contains("--senders")
                            || refused.getMessage().contains("number"),
                    bad);
        }
    }
}
