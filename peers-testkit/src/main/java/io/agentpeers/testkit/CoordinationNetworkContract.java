package io.agentpeers.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.Message;
import io.agentpeers.core.MessageKind;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.PeersLimits;
import io.agentpeers.core.QuestionState;
import io.agentpeers.core.Scope;
import io.agentpeers.core.SendResult;
import io.agentpeers.core.UnknownMessageException;
import io.agentpeers.core.Urgency;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules of asking, urgency and the ping-pong guard, over a real {@link PeerNetwork}.
 * {@link AbstractPeerNetworkContractTest} implements it, so every store runs it. Its network runs with
 * the default guard ({@link PeersLimits#defaults()}: 20 exchanges in 10 minutes).
 */
public interface CoordinationNetworkContract {

    /** The network under test now. */
    PeerNetwork networkUnderTest();

    /** A new verified peer of this client type, with this name. */
    PeerId joinAs(String name, ClientType type);

    /** Moves the network's clock on. */
    void advanceClock(Duration by);

    /**
     * Stops the network and its store, opens the same data again and starts a new network over it (every
     * peer is then gone, as after a broker restart). Returns false, doing nothing, for a store that forgets.
     */
    boolean restartNetwork();

    private int limit() {
        return networkUnderTest().limits().maxExchanges();
    }

    /** {@code turns} messages back and forth between a and b, a first; returns the last. */
    private SendResult pingPong(PeerId a, PeerId b, int turns) {
        SendResult last = null;
        for (int i = 0; i < turns; i++) {
            PeerId from = i % 2 == 0 ? a : b;
            PeerId to = i % 2 == 0 ? b : a;
            last = networkUnderTest().send(from, to.value(), "turn " + i, null);
            assertEquals(MessageState.PENDING, last.message().state(), "turn " + i + " goes out");
        }
        return last;
    }

    private List<Message> notices(PeerId peer) {
        return networkUnderTest().unread(peer, 1000).stream()
                .filter(m -> m.sender().equals(PeerId.BROKER))
                .toList();
    }

    // ------------------------------------------------------------ ask and answer

    @Test
    default void aQuestionIsMarkedAndItsAnswerIsTheFirstReplyOfItsRecipient() {
        PeerNetwork network = networkUnderTest();
        PeerId asker = joinAs("asker", ClientType.CLAUDE_CODE);
        PeerId answerer = joinAs("answerer", ClientType.CODEX);
        SendResult asked = network.ask(asker, "answerer", "which port?", Urgency.INTERRUPT);
        Message question = asked.message();
        assertEquals(MessageKind.QUESTION, question.kind());
        assertEquals(Urgency.INTERRUPT, question.urgency());
        assertEquals(List.of(question), network.unread(answerer, 10));

        QuestionState before = network.question(asker, question.id());
        assertFalse(before.answered());
        assertEquals(MessageState.PENDING, before.question().state());
        network.acknowledge(answerer, List.of(question.id()));
        assertEquals(
                MessageState.DELIVERED,
                network.question(asker, question.id()).question().state());

        network.send(asker, "answerer", "also: which host?", question.id()); // the asker's own follow-up
        assertFalse(network.question(asker, question.id()).answered());
        Message answer = network.send(answerer, "asker", "8080", question.id()).message();
        network.send(answerer, "asker", "and localhost", question.id());
        QuestionState after = network.question(asker, question.id());
        assertEquals(answer, after.answer());
        assertEquals(MessageState.READ, after.question().state(), "answering reads the question");
    }

    @Test
    default void onlyTheAskerLooksUpAQuestionAndOnlyQuestionsHaveAnswers() {
        PeerNetwork network = networkUnderTest();
        PeerId asker = joinAs("asker", ClientType.CLAUDE_CODE);
        PeerId answerer = joinAs("answerer", ClientType.CODEX);
        long question = network.ask(asker, "answerer", "ready?", Urgency.NORMAL)
                .message()
                .id();
        long plain = network.send(asker, "answerer", "fyi", null).message().id();
        assertThrows(UnknownMessageException.class, () -> network.question(answerer, question));
        assertThrows(UnknownMessageException.class, () -> network.question(asker, plain));
        assertThrows(UnknownMessageException.class, () -> network.question(asker, 987_654_321L));
    }

    @Test
    default void anAnswerLaterThanTheWaitIsFoundWhenLookedUpAgain() {
        PeerNetwork network = networkUnderTest();
        PeerId asker = joinAs("asker", ClientType.CLAUDE_CODE);
        PeerId answerer = joinAs("answerer", ClientType.CODEX);
        long question = network.ask(asker, "answerer", "done yet?", Urgency.NORMAL)
                .message()
                .id();
        assertNull(network.question(asker, question).answer(), "the wait ran out: nothing yet");
        advanceClock(Duration.ofMinutes(5));
        network.markRead(answerer, List.of(question));
        assertEquals(
                MessageState.READ, network.question(asker, question).question().state());
        Message late = network.send(answerer, "asker", "now it is", question).message();
        assertEquals(late, network.question(asker, question).answer());
    }

    // ------------------------------------------------------------ urgency

    @Test
    default void urgencyIsKeptAndNormalIsTheDefault() {
        PeerNetwork network = networkUnderTest();
        PeerId a = joinAs("alpha", ClientType.CLAUDE_CODE);
        PeerId b = joinAs("beta", ClientType.CODEX);
        assertEquals(
                Urgency.NORMAL, network.send(a, "beta", "plain", null).message().urgency());
        assertEquals(
                Urgency.FYI,
                network.send(a, "beta", "fyi", null, Urgency.FYI).message().urgency());
        assertEquals(
                Urgency.INTERRUPT,
                network.send(a, "beta", "now", null, Urgency.INTERRUPT)
                        .message()
                        .urgency());
        assertEquals(
                List.of(Urgency.NORMAL, Urgency.FYI, Urgency.INTERRUPT),
                network.unread(b, 10).stream().map(Message::urgency).toList());
    }

    // ------------------------------------------------------------ the ping-pong guard

    @Test
    default void pastTheLimitAPairsMessagesAreHeldBothAreToldOnceAndAPersonReleasesThem() {
        PeerNetwork network = networkUnderTest();
        PeerId a = joinAs("alpha", ClientType.CLAUDE_CODE);
        PeerId b = joinAs("beta", ClientType.CODEX);
        PeerId person = joinAs("person", ClientType.CLI);
        pingPong(a, b, limit());
        int unreadOfB = network.unread(b, 1000).size();

        SendResult held = network.send(b, "alpha", "you're welcome!", null);
        assertEquals(MessageState.HELD, held.message().state());
        SendResult heldToo = network.send(a, "beta", "no, thank you!", null);
        assertEquals(MessageState.HELD, heldToo.message().state());
        assertEquals(1, notices(a).size(), "told once");
        assertEquals(1, notices(b).size(), "told once");
        assertTrue(
                notices(b).get(0).text().contains("peers release"),
                notices(b).get(0).text());
        assertEquals(unreadOfB + 1, network.unread(b, 1000).size(), "only the notice reached beta");
        assertFalse(network.pending(a, 1000).contains(held.message()));

        assertThrows(NotAuthorizedException.class, () -> network.release(a, null), "agents cannot lift it");
        assertThrows(NotAuthorizedException.class, () -> network.held(b, null, 10));
        assertEquals(
                List.of(held.message().id(), heldToo.message().id()),
                network.held(person, "alpha", 10).stream().map(Message::id).toList());

        List<Message> released = network.release(person, "beta");
        assertEquals(
                List.of(held.message().id(), heldToo.message().id()),
                released.stream().map(Message::id).toList());
        released.forEach(m -> assertEquals(MessageState.PENDING, m.state()));
        assertTrue(network.pending(a, 1000).stream()
                .anyMatch(m -> m.id() == held.message().id()));
        assertEquals(List.of(), network.held(person, null, 10));
        // The release restarts the count: the pair may talk again.
        assertEquals(
                MessageState.PENDING,
                network.send(b, "alpha", "ok, stopping", null).message().state());
    }

    @Test
    default void aThirdPeerOrAPersonInBetweenBreaksTheChain() {
        PeerNetwork network = networkUnderTest();
        PeerId a = joinAs("alpha", ClientType.CLAUDE_CODE);
        PeerId b = joinAs("beta", ClientType.CODEX);
        joinAs("gamma", ClientType.GENERIC);
        PeerId person = joinAs("person", ClientType.CLI);
        pingPong(a, b, limit());
        network.send(a, "gamma", "a word with someone else", null);
        pingPong(b, a, limit()); // a fresh chain, b first
        network.send(person, "beta", "carry on", null);
        SendResult last = pingPong(a, b, limit());
        assertEquals(MessageState.PENDING, last.message().state());
        assertEquals(
                MessageState.HELD,
                network.send(b, "alpha", "one more", null).message().state());
    }

    @Test
    default void broadcastsOneSidedRunsAndAPersonInThePairNeverStartAChain() {
        PeerNetwork network = networkUnderTest();
        PeerId a = joinAs("alpha", ClientType.CLAUDE_CODE);
        PeerId b = joinAs("beta", ClientType.CODEX);
        PeerId person = joinAs("person", ClientType.CLI);
        for (int i = 0; i < limit() + 2; i++) {
            network.broadcast(a, Scope.MACHINE, "broadcast " + i);
            network.broadcast(b, Scope.MACHINE, "broadcast back " + i);
            assertEquals(
                    MessageState.PENDING,
                    network.send(a, "beta", "a report " + i, null).message().state());
        }
        for (int i = 0; i < limit() + 2; i++) {
            assertEquals(
                    MessageState.PENDING,
                    network.send(a, "person", "to you " + i, null).message().state());
            assertEquals(
                    MessageState.PENDING,
                    network.send(person, "alpha", "and back " + i, null)
                            .message()
                            .state());
        }
        assertEquals(
                List.of(MessageKind.BROADCAST),
                network.unread(b, 1).stream().map(Message::kind).toList());
    }

    @Test
    default void theCountIsOverAWindow() {
        PeerNetwork network = networkUnderTest();
        PeerId a = joinAs("alpha", ClientType.CLAUDE_CODE);
        PeerId b = joinAs("beta", ClientType.CODEX);
        pingPong(a, b, limit() - 1);
        advanceClock(network.limits().exchangeWindow().plusSeconds(1));
        SendResult last = pingPong(b, a, limit());
        assertEquals(MessageState.PENDING, last.message().state());
    }

    @Test
    default void heldMessagesSurviveARestartAndAreReleasedAfter() {
        PeerId a = joinAs("alpha", ClientType.CLAUDE_CODE);
        PeerId b = joinAs("beta", ClientType.CODEX);
        pingPong(a, b, limit());
        long held = networkUnderTest()
                .send(b, "alpha", "held across", null)
                .message()
                .id();
        assumeTrue(restartNetwork(), "this store forgets at a restart");
        PeerId person = joinAs("person", ClientType.CLI);
        assertEquals(
                List.of(held),
                networkUnderTest().held(person, null, 10).stream()
                        .map(Message::id)
                        .toList());
        List<Message> released = networkUnderTest().release(person, null);
        assertEquals(List.of(held), released.stream().map(Message::id).toList());
        assertEquals(MessageState.PENDING, released.get(0).state());
    }
}
