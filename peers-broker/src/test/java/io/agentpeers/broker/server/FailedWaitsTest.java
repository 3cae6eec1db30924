package io.agentpeers.broker.server;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FailedWaitsTest {
    private static final SocketException EINTR = new SocketException("Interrupted system call");

    @Test
    void waitsThatKeepFailingAtOnceEndTheThreadAfterAThousandInARow() throws IOException {
        FailedWaits waits = new FailedWaits();
        for (int i = 1; i < 1_000; i++) {
            waits.failed(System.nanoTime(), EINTR);
        }

        assertSame(EINTR, assertThrows(SocketException.class, () -> waits.failed(System.nanoTime(), EINTR)));
    }

    @Test
    void aWaitThatReturnedOrHadWaitedAWhileStartsTheCountAgain() throws IOException {
        FailedWaits waits = new FailedWaits();
        for (int i = 1; i < 1_000; i++) {
            waits.failed(System.nanoTime(), EINTR);
        }
        // A signal that cut a real wait short: an empty wait.
        waits.failed(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(5), EINTR);
        for (int i = 1; i < 1_000; i++) {
            waits.failed(System.nanoTime(), EINTR);
        }
        waits.succeeded();
        for (int i = 1; i < 1_000; i++) {
            waits.failed(System.nanoTime(), EINTR);
        }

        assertThrows(SocketException.class, () -> waits.failed(System.nanoTime(), EINTR));
    }
}
