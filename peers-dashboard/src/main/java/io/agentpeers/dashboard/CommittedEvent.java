package io.agentpeers.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * An event the broker committed, as the dashboard hears it on the push thread: its JSON is built only when
 * a browser is there to get it, so a dashboard nobody looks at costs the broker next to nothing.
 *
 * @param messageSentAt when the broker accepted the message of a {@code message_sent} event, else null
 * @param json          the {@code event} notification's params of {@code observe}, built on demand
 */
public record CommittedEvent(Instant messageSentAt, Supplier<ObjectNode> json) {}
