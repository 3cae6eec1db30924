package io.agentpeers.transport.invm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.protocol.transport.TransportListener;
import io.agentpeers.testkit.AbstractTransportContractTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The transport contract in VM, plus what only the in-VM transport promises. */
class InVmTransportContractTest extends AbstractTransportContractTest {

    @Override
    protected TransportListener newListener(Path folder) {
        return new InVmListener();
    }

    @Override
    protected TransportConnector newConnector(TransportListener listener) {
        return ((InVmListener) listener).connector();
    }

    @Override
    protected boolean unverifiedCallersNeedTheToken() {
        return false;
    }

    @Test
    void anInVmCallerNeedsNoTokenAndIsNotTakenForAProcess() throws IOException {
        JsonNode me = connect().call("whoami", null).get("result");

        assertEquals("in-vm", me.path("transport").asText());
        assertFalse(me.path("verified").asBoolean(), "no process of its own to watch or signal");
        assertFalse(me.path("tokenRequired").asBoolean(), "the caller is the program that holds the broker");
        assertFalse(me.has("pid"));
    }

    @Test
    void nothingIsLeftOnDisk() throws IOException {
        connect().call("echo", null);

        try (Stream<Path> files = Files.list(tempDir)) {
            assertEquals(0, files.count(), "no socket file, nothing at all");
        }
    }

    @Test
    void aNameServesOneListenerAtATimeAndIsFreeAgainAfterClose() {
        InVmListener sameName = new InVmListener(((InVmListener) listener).name());

        TransportException taken = assertThrows(TransportException.class, () -> sameName.start(channel -> {}));
        assertTrue(taken.getMessage().contains("another broker of this JVM"), taken.getMessage());

        server.close();
        sameName.start(channel -> {});
        sameName.close();
        TransportException gone = assertThrows(TransportException.class, connector::connect);
        assertTrue(gone.getMessage().contains("no in-VM broker listens"), gone.getMessage());
    }
}
