package io.agentpeers.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Mail of other brokers goes out once per message, including a message whose id is lower than one handed
 * on before (its broker committed later), and after a page full of them.
 */
class RemoteMailTest {
    private final TreeMap<Long, Message> pending = new TreeMap<>();
    private final List<Long> handedOn = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong();
    private final RemoteMail mail = new RemoteMail(
            (afterId, limit) -> pending.tailMap(afterId, false).values().stream()
                    .limit(limit)
                    .toList(),
            events -> events.forEach(
                    e -> handedOn.add(((PeersEvent.MessageSent) e).message().id())),
            nanos::get);

    @Test
    void eachMessageGoesOutOnceThoughItStaysPendingAndIdsCommitOutOfOrder() {
        commit(2);
        commit(3);
        mail.run();
        mail.run();
        assertEquals(List.of(2L, 3L), handedOn);

        commit(1); // took its id before 2 and 3, committed after them
        mail.run();
        assertEquals(List.of(2L, 3L, 1L), handedOn);
    }

    @Test
    void moreThanAPageGoesOutInOneRing() {
        for (long id = 1; id <= RemoteMail.PAGE * 2 + 7; id++) {
            commit(id);
        }
        mail.run();
        assertEquals(RemoteMail.PAGE * 2 + 7, handedOn.size());
        assertEquals(handedOn.size(), handedOn.stream().distinct().count());
    }

    @Test
    void whatSettledBelowTheFloorIsForgottenAndNotHandedOnAgain() {
        commit(5);
        mail.run();
        nanos.addAndGet(RemoteMail.SETTLE_NANOS);
        commit(6);
        mail.run(); // the floor passes 5, seen a settling time ago
        nanos.addAndGet(RemoteMail.SETTLE_NANOS);
        mail.run();
        assertEquals(List.of(5L, 6L), handedOn);
        assertEquals(0, mail.remembered(), "ids below the floor are forgotten");
    }

    private void commit(long id) {
        pending.put(
                id,
                new NewMessage(new PeerId("sender01"), new PeerId("recip001"), "m" + id, null, Instant.EPOCH)
                        .stored(id));
    }
}
