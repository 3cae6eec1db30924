package io.agentpeers.testkit;

import static io.agentpeers.testkit.StoreContractFixtures.at;
import static io.agentpeers.testkit.StoreContractFixtures.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.agentpeers.core.Message;
import io.agentpeers.core.MessageKind;
import io.agentpeers.core.MessageState;
import io.agentpeers.core.NewMessage;
import io.agentpeers.core.Peer;
import io.agentpeers.core.Urgency;
import io.agentpeers.core.port.PeerStore;
import io.agentpeers.core.port.UnreadSummary;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The store's part of questions, urgency and the ping-pong guard: kinds and urgencies kept, the answer to
 * a question found, held messages kept apart from delivery until released. {@link AbstractPeerStoreContractTest}
 * implements it, so every store runs it.
 */
public interface CoordinationStoreContract {

    /** The store under test now. */
    PeerStore storeUnderTest();

    /** Whether the store keeps its data across a close and {@link #reopenedStore()}. */
    boolean durable();

    /** Closes the store under test and opens its data again; only when {@link #durable()}. */
    PeerStore reopenedStore();

    private Peer[] pair() {
        Peer a = peer("aska").name("asker").build();
        Peer b = peer("askb").name("answerer").build();
        storeUnderTest().inTransaction(tx -> {
            tx.insertPeer(a);
            tx.insertPeer(b);
            return null;
        });
        return new Peer[] {a, b};
    }

    private Message insert(NewMessage message) {
        return storeUnderTest().inTransaction(tx -> tx.insertMessage(message));
    }

    private static NewMessage of(
            Peer from, Peer to, Long replyTo, MessageKind kind, Urgency urgency, boolean held, Instant at) {
        return new NewMessage(from.id(), to.id(), "text " + at, replyTo, at, kind, urgency, held);
    }

    @Test
    default void kindAndUrgencyAreKeptAsSent() {
        Peer[] p = pair();
        Message question = insert(of(p[0], p[1], null, MessageKind.QUESTION, Urgency.INTERRUPT, false, at(1)));
        Message fyi = insert(of(p[0], p[1], null, MessageKind.BROADCAST, Urgency.FYI, false, at(2)));
        Message plain = insert(new NewMessage(p[0].id(), p[1].id(), "plain", null, at(3)));
        assertEquals(
                question,
                storeUnderTest().read(tx -> tx.findMessage(question.id())).orElseThrow());
        assertEquals(MessageKind.QUESTION, question.kind());
        assertEquals(Urgency.INTERRUPT, question.urgency());
        assertEquals(List.of(question, fyi, plain), storeUnderTest().read(tx -> tx.pendingMessages(p[1].id(), 10)));
        assertEquals(MessageKind.MESSAGE, plain.kind());
        assertEquals(Urgency.NORMAL, plain.urgency());
    }

    @Test
    default void theNewestWakingUnreadLeavesFyiOut() {
        Peer[] p = pair();
        Message normal = insert(of(p[0], p[1], null, MessageKind.MESSAGE, Urgency.NORMAL, false, at(1)));
        Message fyi = insert(of(p[0], p[1], null, MessageKind.MESSAGE, Urgency.FYI, false, at(2)));
        UnreadSummary both = storeUnderTest().read(tx -> tx.summarizeUnread(p[1].id(), 5));
        assertEquals(2, both.count());
        assertEquals(fyi.id(), both.newest());
        assertEquals(normal.id(), both.newestWaking());
        storeUnderTest().inTransaction(tx -> tx.markRead(p[1].id(), List.of(normal.id()), at(3)));
        UnreadSummary fyiOnly = storeUnderTest().read(tx -> tx.summarizeUnread(p[1].id(), 5));
        assertEquals(1, fyiOnly.count());
        assertEquals(0, fyiOnly.newestWaking(), "only an fyi is unread");
    }

    @Test
    default void theAnswerIsTheFirstReplyOfTheRecipientNotHeldOnes() {
        Peer[] p = pair();
        Peer third = peer("askc").build();
        storeUnderTest().inTransaction(tx -> {
            tx.insertPeer(third);
            return null;
        });
        Message question = insert(of(p[0], p[1], null, MessageKind.QUESTION, Urgency.NORMAL, false, at(1)));
        assertEquals(Optional.empty(), storeUnderTest().read(tx -> tx.firstReply(question.id(), p[1].id())));
        insert(of(third, p[0], question.id(), MessageKind.MESSAGE, Urgency.NORMAL, false, at(2))); // not theirs
        insert(of(p[1], p[0], question.id(), MessageKind.MESSAGE, Urgency.NORMAL, true, at(3))); // held
        assertEquals(Optional.empty(), storeUnderTest().read(tx -> tx.firstReply(question.id(), p[1].id())));
        Message answer = insert(of(p[1], p[0], question.id(), MessageKind.MESSAGE, Urgency.NORMAL, false, at(4)));
        insert(of(p[1], p[0], question.id(), MessageKind.MESSAGE, Urgency.NORMAL, false, at(5))); // a second one
        assertEquals(Optional.of(answer), storeUnderTest().read(tx -> tx.firstReply(question.id(), p[1].id())));
    }

    @Test
    default void heldMessagesAreStoredButNeitherPendingNorUnreadUntilReleased() {
        Peer[] p = pair();
        Message sent = insert(of(p[0], p[1], null, MessageKind.MESSAGE, Urgency.NORMAL, false, at(1)));
        Message held = insert(of(p[0], p[1], null, MessageKind.MESSAGE, Urgency.FYI, true, at(2)));
        Message heldBack = insert(of(p[1], p[0], null, MessageKind.MESSAGE, Urgency.NORMAL, true, at(3)));
        assertEquals(MessageState.HELD, held.state());
        assertEquals(List.of(sent), storeUnderTest().read(tx -> tx.pendingMessages(p[1].id(), 10)));
        assertEquals(List.of(sent), storeUnderTest().read(tx -> tx.unreadMessages(p[1].id(), 10)));
        assertEquals(0, (int) storeUnderTest().read(tx -> tx.countPendingMessages(p[0].id())));
        assertEquals(
                1, storeUnderTest().read(tx -> tx.summarizeUnread(p[1].id(), 5)).count());
        assertEquals(0, (int)
                storeUnderTest().inTransaction(tx -> tx.markDelivered(p[1].id(), List.of(held.id()), at(4))));
        assertEquals(List.of(held, heldBack), storeUnderTest().read(tx -> tx.heldMessages(null, 10)));
        assertEquals(List.of(held, heldBack), storeUnderTest().read(tx -> tx.heldMessages(p[1].id(), 10)));
        assertEquals(List.of(held), storeUnderTest().read(tx -> tx.heldMessages(null, 1)));

        List<Message> released =
                storeUnderTest().inTransaction(tx -> tx.releaseHeld(List.of(held.id(), sent.id(), 999_999L), at(5)));
        assertEquals(List.of(held.released(at(5))), released);
        assertEquals(MessageState.PENDING, released.get(0).state());
        assertEquals(at(5), released.get(0).releasedAt());
        assertNull(sent.releasedAt());
        assertEquals(List.of(sent, released.get(0)), storeUnderTest().read(tx -> tx.pendingMessages(p[1].id(), 10)));
        assertEquals(List.of(heldBack), storeUnderTest().read(tx -> tx.heldMessages(p[0].id(), 10)));
        assertEquals(List.of(), storeUnderTest().inTransaction(tx -> tx.releaseHeld(List.of(held.id()), at(6))));
    }

    @Test
    default void heldMessagesAndTheirKindSurviveAReopen() {
        assumeTrue(durable(), "this store does not survive a reopen");
        Peer[] p = pair();
        Message question = insert(of(p[0], p[1], null, MessageKind.QUESTION, Urgency.INTERRUPT, false, at(1)));
        Message held = insert(of(p[1], p[0], question.id(), MessageKind.MESSAGE, Urgency.FYI, true, at(2)));
        PeerStore reopened = reopenedStore();
        assertEquals(List.of(held), reopened.read(tx -> tx.heldMessages(null, 10)));
        assertEquals(
                question, reopened.read(tx -> tx.findMessage(question.id())).orElseThrow());
        Message released = reopened.inTransaction(tx -> tx.releaseHeld(List.of(held.id()), at(3)))
                .get(0);
        assertEquals(Optional.of(released), reopened.read(tx -> tx.firstReply(question.id(), p[1].id())));
        assertTrue(released.releasedAt() != null);
    }
}
