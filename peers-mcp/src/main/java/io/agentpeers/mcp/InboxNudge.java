package io.agentpeers.mcp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A nudge for an agent's own session: how many new peer messages wait and from whom, never what they say.
 * It has no field a message's text or summary could go into, so a nudge cannot carry one: the model
 * fetches the messages (and acknowledges them) through the tools.
 *
 * <p>The text ends with the newest message's id, so two nudges about different messages never read the
 * same: Claude Code 2.1.332 drops a line into its inbox that repeats the previous one from the same
 * writer within 30 s ("[peer-guard] drop duplicate"; its defaults: {@code dedupWindowMs: 30000}), and
 * nudges are only 10 s apart.
 *
 * @param bySender the count of new messages per sender, in arrival order; a sender is a broker-validated
 *                 name or an id ({@code [a-z0-9-]}); anything else is shown as "a peer"
 * @param newest   the id of the newest of these messages (the broker's, as check_messages shows it: #id)
 */
record InboxNudge(Map<String, Integer> bySender, long newest) {
    /** Names ({@code [a-z0-9-]{1,32}}) and ids ({@code [0-9a-z]{1,64}}), as the broker allows them. */
    private static final Pattern SENDER = Pattern.compile("[a-z0-9-]{1,64}");

    private static final int SENDERS_SHOWN = 4;

    InboxNudge {
        Map<String, Integer> checked = new LinkedHashMap<>();
        bySender.forEach((sender, count) -> {
            if (count > 0) {
                checked.merge(shown(sender), count, Integer::sum);
            }
        });
        if (checked.isEmpty()) {
            throw new IllegalArgumentException("a nudge is about at least one message");
        }
        bySender = Collections.unmodifiableMap(checked);
    }

    /** A nudge about these messages' senders, one entry per message; {@code newest} is the newest one's id. */
    static InboxNudge of(long newest, Iterable<String> senders) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        senders.forEach(sender -> counts.merge(sender, 1, Integer::sum));
        return new InboxNudge(counts, newest);
    }

    int messages() {
        return bySender.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** E.g. "2 new peer messages from reviewer: call check_messages (newest #12)". */
    String text() {
        int total = messages();
        StringBuilder text =
                new StringBuilder().append(total).append(total == 1 ? " new peer message" : " new peer messages");
        if (bySender.size() == 1) {
            text.append(" from ").append(bySender.keySet().iterator().next());
        } else {
            List<String> parts = new ArrayList<>();
            bySender.entrySet().stream()
                    .limit(SENDERS_SHOWN)
                    .forEach(e -> parts.add(e.getValue() + " from " + e.getKey()));
            if (bySender.size() > SENDERS_SHOWN) {
                parts.add("more from " + (bySender.size() - SENDERS_SHOWN) + " others");
            }
            text.append(" (").append(String.join(", ", parts)).append(')');
        }
        return text.append(": call check_messages (newest #")
                .append(newest)
                .append(')')
                .toString();
    }

    private static String shown(String sender) {
        return sender != null && SENDER.matcher(sender).matches() ? sender : "a peer";
    }
}
