package io.agentpeers.mcp;

import io.agentpeers.core.Delivery;
import io.agentpeers.core.DeliveryPath;
import io.agentpeers.core.Urgency;
import io.agentpeers.protocol.Envelope;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes this agent's session when messages arrive for it, by writing a body-free {@link InboxNudge} into
 * the session itself ({@link SessionWake}: Claude Code's inbox, Codex's thread queue), unless the channel
 * push is confirmed.
 *
 * <p><b>When the channel counts as confirmed.</b> A push is never assumed to reach the model (Claude Code
 * drops channel notifications without its development flag). It is confirmed when the model answers
 * ({@code send_message} with {@code reply_to}) a message that only the channel had shown: one that was
 * pushed and that no tool result showed yet. Then a nudge waits {@link Timing#confirmedGrace} first, so
 * it comes only when a pushed message stays unread that long.
 *
 * <p><b>Coalescing.</b> At most one nudge is outstanding. An arrival arms one nudge, written after
 * {@link Timing#coalesce} (a burst becomes one nudge with its count), and never sooner than
 * {@link Timing#minInterval} after the previous attempt. Arrivals while a nudge is outstanding only add
 * to the count of the next one. A message of urgency {@code interrupt} is written at once, past all of
 * this; one of urgency {@code fyi} never nudges. The nudger is re-armed when the model reads its messages
 * ({@code check_messages}, {@code wait_for_messages}) or {@link Timing#rearm} after the last nudge; a
 * nudge that was not written re-arms at once (the interval still applies). Nothing is repeated by a
 * timer: a session that never reads gets one nudge per arrival after the re-arm time, not a stream.
 *
 * <p>Threading: the methods only update state under this object's lock and schedule; the socket is
 * written on the nudger's own daemon thread, so neither the broker link's threads nor the MCP server's
 * stdio ever wait for it. Lifecycle: {@link #start} makes the thread, {@link #close()} (idempotent) ends it.
 */
final class InboxNudger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InboxNudger.class);
    /** The ids of pushed messages kept for the confirmation check: enough for any real session. */
    private static final int PUSHED_KEPT = 1_000;

    /** How the nudger paces itself. */
    record Timing(
            Duration coalesce, Duration minInterval, Duration rearm, Duration confirmedGrace, Duration writeTimeout) {
        /**
         * A burst within 300 ms is one nudge; nudges are at least 10 s apart (each opens a turn); a nudge
         * the model did not follow is repeated on a new arrival after 2 minutes; with a confirmed channel the
         * nudge waits a minute; a write gets 2 s (a local socket takes 200 bytes in microseconds).
         */
        static final Timing DEFAULT = new Timing(
                Duration.ofMillis(300),
                Duration.ofSeconds(10),
                Duration.ofMinutes(2),
                Duration.ofMinutes(1),
                Duration.ofSeconds(2));
    }

    /** What the last nudge did: when, about how many messages, whether it was written, and why not. */
    record Wake(Instant at, int messages, boolean written, String problem) {}

    private final SessionWake inbox;
    private final Timing timing;
    private ScheduledExecutorService scheduler;

    // Guarded by this.
    private final Map<Long, String> unread = new LinkedHashMap<>();
    private final Set<Long> pushedNotShown = new LinkedHashSet<>();
    private ScheduledFuture<?> due;
    private boolean outstanding;
    private long lastAttemptNanos;
    private boolean attempted;
    private boolean channelConfirmed;
    private boolean wakeConfirmed;
    private boolean channelOffered;
    private boolean closed;
    private boolean lastFailureLogged;
    private Wake last;
    private Consumer<Delivery> deliveryListener = how -> {};
    private Delivery reported;

    /** @param inbox the way into the session, or null: then nothing is written and only the channel is watched */
    private InboxNudger(SessionWake inbox, Timing timing) {
        this.inbox = inbox;
        this.timing = timing;
    }

    static InboxNudger start(SessionWake inbox, Timing timing) {
        InboxNudger nudger = new InboxNudger(inbox, timing);
        if (inbox != null) {
            nudger.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "peers-mcp-wake");
                thread.setDaemon(true);
                return thread;
            });
            LOG.info("new messages wake this session through {}", inbox);
        }
        return nudger;
    }

    /** Whether this nudger can write into the session at all (perhaps only once it is {@link #learn}ed). */
    boolean wakes() {
        return inbox != null;
    }

    /**
     * A tool call's {@code _meta}: when it names the session the wake was waiting for (Codex's thread), the
     * wake is ready and messages that already wait arm a nudge.
     */
    synchronized void learn(Map<String, Object> meta) {
        if (inbox != null && !closed && inbox.learn(meta)) {
            reportDelivery();
            arm();
        }
    }

    /** A message was pushed to this server (it may be pushed again after a failure: counted once). */
    synchronized void arrived(Envelope envelope) {
        long id = envelope.message().id();
        if (!pushedNotShown.add(id)) {
            return;
        }
        if (pushedNotShown.size() > PUSHED_KEPT) {
            Iterator<Long> oldest = pushedNotShown.iterator();
            oldest.next();
            oldest.remove();
        }
        Urgency urgency = envelope.message().urgency();
        if (inbox == null || closed || urgency == Urgency.FYI) {
            return; // fyi never wakes: the model sees it at its next check
        }
        unread.put(
                id,
                envelope.sender() == null
                        ? envelope.message().sender().value()
                        : envelope.sender().displayName());
        if (urgency == Urgency.INTERRUPT) {
            interrupt();
        } else {
            arm();
        }
    }

    /**
     * A tool result showed these messages ({@code check_messages}, {@code wait_for_messages}): they are
     * read, and the nudger is re-armed (the model is looking; a later arrival may nudge again).
     */
    synchronized void read(Collection<Long> shown) {
        pushedNotShown.removeAll(shown);
        unread.keySet().removeAll(shown);
        if (outstanding && last != null && last.written() && !wakeConfirmed) {
            // The model came to read while a written nudge was outstanding: the wake reaches it.
            wakeConfirmed = true;
            LOG.info("the model read its messages after a nudge: waking this session works");
            reportDelivery();
        }
        outstanding = false;
        if (unread.isEmpty() && due != null) {
            due.cancel(false);
            due = null;
        }
        arm();
    }

    /**
     * Which of {@code ids} the channel has shown the model in full already: those it pushed, once the channel
     * is confirmed to reach the model. While it is not, none: a push may have been dropped.
     */
    synchronized Set<Long> shownByTheChannel(Collection<Long> ids) {
        if (!channelConfirmed) {
            return Set.of();
        }
        Set<Long> shown = new LinkedHashSet<>(ids);
        shown.retainAll(pushedNotShown);
        return shown;
    }

    /** The model answered message {@code id}: if only the channel had shown it, the channel works. */
    synchronized void answered(Long id) {
        if (id != null && !channelConfirmed && pushedNotShown.contains(id)) {
            channelConfirmed = true;
            LOG.info("the model answered pushed message {} before any tool showed it: the channel push works", id);
            reportDelivery();
        }
    }

    /** This server offers the channel push to its client (which may or may not show it). */
    synchronized void offerChannel() {
        channelOffered = true;
        reportDelivery();
    }

    /**
     * Hears {@link #delivery} now and each time it changes (a path confirmed); called under this
     * object's lock, so it must only hand the value on.
     */
    synchronized void onDelivery(Consumer<Delivery> listener) {
        deliveryListener = Objects.requireNonNull(listener, "listener");
        reported = null;
        reportDelivery();
    }

    /**
     * How this session receives messages, from what was seen: a confirmed channel, else the session
     * inbox (confirmed once a nudge was followed by a read), else the channel when it is offered
     * ({@code channelOffered}: the client took the capability; not confirmed), else only the tools.
     */
    synchronized Delivery delivery() {
        if (channelConfirmed) {
            return new Delivery(DeliveryPath.CHANNEL, true);
        }
        if (inbox != null && inbox.ready()) {
            return new Delivery(DeliveryPath.INBOX_WAKE, wakeConfirmed);
        }
        return channelOffered ? new Delivery(DeliveryPath.CHANNEL, false) : Delivery.POLL;
    }

    private void reportDelivery() {
        Delivery now = delivery();
        if (!now.equals(reported)) {
            reported = now;
            deliveryListener.accept(now);
        }
    }

    synchronized boolean channelConfirmed() {
        return channelConfirmed;
    }

    /** The last nudge, or null before the first. */
    synchronized Wake lastWake() {
        return last;
    }

    /** One sentence for whoami about how this session learns of its messages. */
    synchronized String describe() {
        if (inbox == null && !channelOffered) {
            return "no push; call check_messages each turn, or wait_for_messages when you expect an answer.";
        }
        StringBuilder text = new StringBuilder();
        if (channelConfirmed) {
            text.append("messages are pushed to you as channel messages (confirmed: you answered one that only the"
                    + " channel had shown).");
        } else if (channelOffered) {
            text.append("messages are sent to you as channel messages, which Claude Code shows only when started"
                    + " with its development-channels flag; not confirmed here yet.");
        }
        if (inbox == null || !inbox.ready()) {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(inbox == null ? "No session inbox was given to peers" : "Nothing wakes this session yet")
                    .append(": call check_messages each turn, or wait_for_messages when you expect an answer.");
            return text.toString();
        }
        if (!text.isEmpty()) {
            text.append(" When messages arrive, peers also writes");
        } else {
            text.append("when messages arrive, peers writes");
        }
        text.append(" a note (\"N new peer messages from X: call check_messages (newest #id)\") into this session"
                + " to start a turn");
        if (last == null) {
            text.append("; none written yet.");
        } else if (last.written()) {
            text.append("; the last one was written at ")
                    .append(last.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                    .append('.');
        } else {
            text.append("; the last one could not be written (")
                    .append(last.problem())
                    .append("): call check_messages each turn.");
        }
        return text.toString();
    }

    /** One sentence for send_message and broadcast about how an answer will reach this session. */
    synchronized String answerHint() {
        if (channelConfirmed) {
            return " Answers arrive as channel messages.";
        }
        if (inbox != null && inbox.ready()) {
            return " When an answer arrives, a note tells you to call check_messages; to wait for it, call"
                    + " wait_for_messages.";
        }
        return " To get an answer, call wait_for_messages.";
    }

    // ------------------------------------------------------------ scheduling, under the lock

    /** An interrupt wakes now: no coalescing, pacing, grace or outstanding nudge holds it back. */
    private void interrupt() {
        if (inbox == null || closed || !inbox.ready()) {
            return;
        }
        if (due != null) {
            due.cancel(false);
        }
        due = scheduler.schedule(this::fire, 0, TimeUnit.NANOSECONDS);
    }

    private void arm() {
        if (inbox == null || closed || due != null || unread.isEmpty() || !inbox.ready()) {
            return;
        }
        long now = System.nanoTime();
        if (outstanding && now - lastAttemptNanos < timing.rearm().toNanos()) {
            return;
        }
        long delay = timing.coalesce().toNanos();
        if (attempted) {
            delay = Math.max(delay, lastAttemptNanos + timing.minInterval().toNanos() - now);
        }
        if (channelConfirmed) {
            delay = Math.max(delay, timing.confirmedGrace().toNanos());
        }
        due = scheduler.schedule(this::fire, delay, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        InboxNudge nudge;
        synchronized (this) {
            due = null;
            if (closed || unread.isEmpty()) {
                return;
            }
            nudge = InboxNudge.of(
                    unread.keySet().stream().mapToLong(Long::longValue).max().orElseThrow(),
                    new ArrayList<>(unread.values()));
            outstanding = true;
            attempted = true;
            lastAttemptNanos = System.nanoTime();
        }
        SessionWake.Outcome outcome = inbox.deliver(nudge, timing.writeTimeout());
        synchronized (this) {
            last = new Wake(Instant.now(), nudge.messages(), outcome.written(), outcome.problem());
            if (outcome.written()) {
                lastFailureLogged = false;
                LOG.info("woke the session through its inbox: {}", nudge.text());
            } else {
                outstanding = false; // not written: the next arrival may try again, after the interval
                if (!lastFailureLogged) {
                    LOG.warn("could not wake the session through its inbox ({}); the messages wait", outcome.problem());
                    lastFailureLogged = true;
                } else {
                    LOG.debug("could not wake the session through its inbox ({})", outcome.problem());
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (due != null) {
                due.cancel(false);
                due = null;
            }
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
