package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.port.StoreTransaction;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The asking side of a kill across brokers over a store that only answers the two questions it asks: the
 * holder's answer completes the caller's future (refusals named after the holder), and without one the
 * request is voided at the bound and the caller told, unless the holder took it.
 */
class RemoteKillsTest {
    private static final Duration BOUND = Duration.ofMillis(200);
    private static final Peer BOB = new Peer(
            new PeerId("bob0000001"),
            "bob",
            new ProcessRef(10, 1000, 1),
            new ProcessRef(10, 1000, 1),
            "/w",
            null,
            null,
            null,
            null,
            ClientType.GENERIC,
            "",
            Instant.EPOCH,
            Instant.EPOCH,
            PeerState.LIVE,
            null,
            null,
            null,
            null,
            null,
            new PeerHolder("b-far", "far-host"));

    private final Map<Long, KillOutcome> answers = new ConcurrentHashMap<>();
    private final AtomicBoolean taken = new AtomicBoolean();
    private final AtomicInteger voided = new AtomicInteger();
    private final RemoteKills kills = new RemoteKills(new FakeStore(), BOUND);

    @Test
    void theHoldersAnswerCompletesTheCallerAndARefusalNamesTheHolder() throws Exception {
        // A bound far longer than the test: only the rings answer.
        RemoteKills patient = new RemoteKills(new FakeStore(), Duration.ofMinutes(5));
        CompletableFuture<KillResult> done = patient.await(1, BOB);
        CompletableFuture<KillResult> refused = patient.await(2, BOB);
        assertFalse(done.isDone());
        answers.put(1L, KillOutcome.carriedOut(true));
        answers.put(2L, KillOutcome.refused(new NotAuthorizedException("bob belongs to another user")));
        patient.ring();
        patient.ring(); // answered once: a second ring finds nothing waiting
        patient.close();

        assertEquals(new KillResult(BOB, true), done.get(5, TimeUnit.SECONDS));
        ExecutionException e = assertThrows(ExecutionException.class, () -> refused.get(5, TimeUnit.SECONDS));
        NotAuthorizedException cause = assertInstanceOf(NotAuthorizedException.class, e.getCause());
        assertTrue(cause.getMessage().contains("b-far on far-host"), cause.getMessage());
        assertTrue(cause.getMessage().contains("bob belongs to another user"), cause.getMessage());
        assertEquals(0, voided.get(), "answered requests are not voided");
    }

    @Test
    void withoutAnAnswerTheRequestIsVoidedAtTheBoundAndTheCallerToldSo() {
        CompletableFuture<KillResult> waiting = kills.await(3, BOB);
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        KillUnansweredException cause = assertInstanceOf(KillUnansweredException.class, e.getCause());
        assertTrue(cause.getMessage().contains("did not take the request"), cause.getMessage());
        assertTrue(cause.getMessage().contains("never be carried out later"), cause.getMessage());
        assertEquals(1, voided.get());
    }

    @Test
    void aRequestTheHolderTookButDidNotAnswerIsReportedAsPossiblyDone() {
        taken.set(true);
        CompletableFuture<KillResult> waiting = kills.await(4, BOB);
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        KillUnansweredException cause = assertInstanceOf(KillUnansweredException.class, e.getCause());
        assertTrue(cause.getMessage().contains("took the request but gave no answer"), cause.getMessage());
        assertTrue(cause.getMessage().contains("may or may not have signalled"), cause.getMessage());
    }

    @Test
    void closingFailsWhatStillWaits() {
        CompletableFuture<KillResult> waiting = kills.await(5, BOB);
        kills.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertInstanceOf(StoreException.class, e.getCause());
    }

    /** A store whose transactions know the answers given so far and void what the holder did not take. */
    private final class FakeStore implements RemoteKills.Store {
        private final StoreTransaction tx = (StoreTransaction) Proxy.newProxyInstance(
                StoreTransaction.class.getClassLoader(), new Class<?>[] {StoreTransaction.class}, (p, m, args) -> {
                    switch (m.getName()) {
                        case "killOutcomes" -> {
                            Map<Long, KillOutcome> found = new java.util.HashMap<>();
                            for (Object id : (java.util.Collection<?>) args[0]) {
                                KillOutcome o = answers.get((Long) id);
                                if (o != null) {
                                    found.put((Long) id, o);
                                }
                            }
                            return found;
                        }
                        case "voidKillRequest" -> {
                            if (taken.get() || answers.containsKey((Long) args[0])) {
                                return false;
                            }
                            voided.incrementAndGet();
                            return true;
                        }
                        default -> throw new UnsupportedOperationException(m.getName());
                    }
                });

        @Override
        public <T> T read(Function<StoreTransaction, T> work) {
            return work.apply(tx);
        }

        @Override
        public <T> T write(Function<StoreTransaction, T> work) {
            return work.apply(tx);
        }
    }
}
