package io.agentpeers.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReconnectLoopTest {

    @Test
    void retriesUntilAnAttemptSucceedsThenStops() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch connected = new CountDownLatch(1);
        ReconnectLoop loop = new ReconnectLoop(
                "test",
                () -> {
                    if (attempts.incrementAndGet() < 3) {
                        throw new BrokerUnavailableException("not yet");
                    }
                    connected.countDown();
                },
                () -> false);
        loop.start();
        assertTrue(connected.await(10, TimeUnit.SECONDS));
        Thread.sleep(300);
        assertEquals(3, attempts.get(), "no attempt after the one that succeeded");
    }

    @Test
    void aLossWhileTheLoopIsFinishingMakesItGoRoundAgain() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch second = new CountDownLatch(1);
        ReconnectLoop[] loop = new ReconnectLoop[1];
        loop[0] = new ReconnectLoop(
                "test",
                () -> {
                    if (attempts.incrementAndGet() == 1) {
                        loop[0].start(); // the fresh connection dropped before the loop ended
                    } else {
                        second.countDown();
                    }
                },
                () -> false);
        loop[0].start();
        assertTrue(second.await(10, TimeUnit.SECONDS), "the loss was not missed");
        Thread.sleep(300);
        assertEquals(2, attempts.get());
    }

    @Test
    void stopsRetryingOnceTheOwnerCloses() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        AtomicInteger attempts = new AtomicInteger();
        ReconnectLoop loop = new ReconnectLoop(
                "test",
                () -> {
                    attempts.incrementAndGet();
                    throw new BrokerUnavailableException("down");
                },
                closed::get);
        loop.start();
        Thread.sleep(200);
        closed.set(true);
        loop.stop();
        Thread.sleep(100);
        int seen = attempts.get();
        Thread.sleep(1_200);
        assertEquals(seen, attempts.get(), "no attempt after close");
        assertTrue(seen >= 2, seen + " attempts in 200 ms");
    }
}
