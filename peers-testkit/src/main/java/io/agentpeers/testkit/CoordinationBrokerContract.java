package io.agentpeers.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.MessageKind;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.UnknownMessageException;
import io.agentpeers.core.Urgency;
import io.agentpeers.protocol.Envelope;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.protocol.client.Results;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code ask}, {@code await_answer}, urgency and {@code release} through a real broker over each transport.
 * {@link AbstractBrokerContractTest} implements it.
 */
public interface CoordinationBrokerContract {

    /** Starts the broker of the test. */
    void startTheBroker();

    /** A client registered with this name, closed after the test. */
    PeersClient registeredAs(String name);

    @Test
    default void anAnswerSentTheMomentTheQuestionArrivesIsNeverMissed() throws Exception {
        startTheBroker();
        PeersClient asker = registeredAs("asker");
        PeersClient answerer = registeredAs("answerer");
        // The answer goes out from the push itself, while the asker's call may still be on its way back.
        answerer.subscribe(envelope -> answerer.send(
                envelope.sender().id(),
                "answer to " + envelope.message().text(),
                envelope.message().id()));
        for (int i = 0; i < 5; i++) {
            Results.Asked asked = asker.ask("answerer", "q" + i, Duration.ofSeconds(20), Urgency.INTERRUPT);
            assertTrue(asked.answered(), "question " + i);
            assertEquals("answer to q" + i, asked.answer().message().text());
            assertEquals(MessageKind.QUESTION, asked.question().kind());
            assertEquals(Urgency.INTERRUPT, asked.question().urgency());
            assertEquals("answerer", asked.answer().sender().name());
        }
    }

    @Test
    default void aWaitThatRanOutIsResumedAndTheLateAnswerCollected() throws Exception {
        startTheBroker();
        PeersClient asker = registeredAs("asker");
        PeersClient answerer = registeredAs("answerer");
        Results.Asked first = asker.ask("answerer", "are you there?", Duration.ofMillis(200), Urgency.NORMAL);
        assertFalse(first.answered());
        assertEquals(MessageState.PENDING, first.question().state());
        assertEquals("answerer", first.recipient().name());
        long id = first.question().id();
        assertThrows(UnknownMessageException.class, () -> answerer.awaitAnswer(id, Duration.ZERO), "not theirs");

        CompletableFuture<Results.Asked> resumed =
                CompletableFuture.supplyAsync(() -> asker.awaitAnswer(id, Duration.ofSeconds(20)));
        answerer.send(asker.self().id(), "yes", id);
        Results.Asked late = resumed.get(30, TimeUnit.SECONDS);
        assertTrue(late.answered());
        assertEquals("yes", late.answer().message().text());
        assertEquals(MessageState.READ, late.question().state(), "answering read the question");
        assertEquals(
                "yes", asker.awaitAnswer(id, Duration.ZERO).answer().message().text());
    }

    @Test
    default void urgencyTravelsToTheRecipientAndHeldMessagesWaitForAPerson() throws Exception {
        startTheBroker();
        PeersClient alpha = registeredAs("alpha");
        PeersClient beta = registeredAs("beta");
        BlockingQueue<Envelope> inbox = new LinkedBlockingQueue<>();
        beta.subscribe(inbox::add);
        alpha.send("beta", "just so you know", null, Urgency.FYI);
        Envelope got = inbox.poll(10, TimeUnit.SECONDS);
        assertNotNull(got);
        assertEquals(Urgency.FYI, got.message().urgency());
        assertThrows(NotAuthorizedException.class, () -> alpha.release(null), "only a person releases");
        assertThrows(NotAuthorizedException.class, () -> beta.held(null, 10));
        assertNull(inbox.poll(0, TimeUnit.SECONDS));
    }
}
