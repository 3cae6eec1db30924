package io.agentpeers.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which arguments start a broker process (the small command line and its logging), options first or not. */
class RunsTheBrokerTest {
    @Test
    void brokerRunIsFoundBehindTheGlobalOptions() {
        assertTrue(PeersCli.runsTheBroker(new String[] {"broker", "run", "--tcp", "127.0.0.1:7899"}));
        assertTrue(PeersCli.runsTheBroker(new String[] {"--home", "/x", "broker", "run"}));
        assertTrue(PeersCli.runsTheBroker(new String[] {"--home=/x", "-v", "--json", "broker", "run"}));
        assertFalse(PeersCli.runsTheBroker(new String[] {"--home", "broker", "run"}), "broker is --home's value");
        assertFalse(PeersCli.runsTheBroker(new String[] {"broker", "status"}));
        assertFalse(PeersCli.runsTheBroker(new String[] {"status", "broker", "run"}));
        assertFalse(PeersCli.runsTheBroker(new String[] {"--json"}));
    }
}
