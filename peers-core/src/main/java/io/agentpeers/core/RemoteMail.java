package io.agentpeers.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Mail that other brokers of a shared store wrote to this broker's peers, turned into the events a local
 * send makes, once each. The store's bell rings (a notification, or its fallback poll); this reads the
 * pending rows above a floor and hands on those not handed on before.
 *
 * <p>Ids come from one sequence but commit out of order across brokers (a broker may take id 100 and commit
 * after another committed 101), so the floor is not the newest id seen: it is the newest id seen {@link
 * #SETTLE_NANOS} ago, when every id below it has long committed or rolled back. Ids above the floor that were
 * handed on are remembered until the floor passes them. A message still pending below the floor is not
 * handed on again (its recipient fetches it as any pending message: subscribe, pending, its hooks).
 *
 * <p>Rung by one thread at a time (the store's); not thread-safe otherwise.
 */
final class RemoteMail implements Runnable {
    static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    static final int PAGE = 500;

    /** Reads up to {@code limit} pending remote messages with ids above {@code afterId}, oldest first. */
    @FunctionalInterface
    interface Reader {
        List<Message> after(long afterId, int limit);
    }

    private record Mark(long atNanos, long maxId) {}

    private final Reader reader;
    private final Consumer<List<PeersEvent>> emit;
    private final LongSupplier nanos;
    private final NavigableSet<Long> handedOn = new TreeSet<>();
    private final Deque<Mark> marks = new ArrayDeque<>();
    private long floor;
    private long maxSeen;

    RemoteMail(Reader reader, Consumer<List<PeersEvent>> emit, LongSupplier nanos) {
        this.reader = reader;
        this.emit = emit;
        this.nanos = nanos;
    }

    @Override
    public void run() {
        long cursor = floor;
        while (true) {
            List<Message> page = reader.after(cursor, PAGE);
            List<PeersEvent> events = new java.util.ArrayList<>();
            for (Message message : page) {
                cursor = Math.max(cursor, message.id());
                maxSeen = Math.max(maxSeen, message.id());
                if (handedOn.add(message.id())) {
                    events.add(new PeersEvent.MessageSent(message));
                }
            }
            if (!events.isEmpty()) {
                emit.accept(events);
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        settle();
    }

    /** Moves the floor up to the newest id seen a settling time ago, and forgets what lies below it. */
    private void settle() {
        long now = nanos.getAsLong();
        if (marks.isEmpty() || marks.peekLast().maxId() != maxSeen) {
            marks.addLast(new Mark(now, maxSeen));
        }
        while (!marks.isEmpty() && now - marks.peekFirst().atNanos() >= SETTLE_NANOS) {
            floor = Math.max(floor, marks.pollFirst().maxId());
        }
        handedOn.headSet(floor, true).clear();
    }

    /** How many ids are remembered: bounded by the mail of a settling time. */
    int remembered() {
        return handedOn.size();
    }
}
