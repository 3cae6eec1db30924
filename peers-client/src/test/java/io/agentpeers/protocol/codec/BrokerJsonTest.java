package io.agentpeers.protocol.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.MessageState;
import io.agentpeers.protocol.BrokerEvent;
import io.agentpeers.protocol.BrokerInfo;
import io.agentpeers.protocol.BrokerStats;
import io.agentpeers.protocol.wire.WireJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The broker's shapes read into records and written back unchanged, so tools print what the broker sent. */
class BrokerJsonTest {
    private static final String PEER = "{\"id\":\"k3v9x2m7qa\",\"name\":\"reviewer\",\"client_type\":\"claude-code\","
            + "\"cwd\":\"/src/app\",\"git_root\":\"/src/app\",\"repo_key\":\"/src/app/.git\",\"tty\":\"pts/3\","
            + "\"summary\":\"reviewing auth\",\"registered_at\":\"2026-11-24T10:15:30.123Z\","
            + "\"last_seen\":\"2026-11-24T10:16:30.123Z\",\"state\":\"live\",\"gone_at\":null,\"verified\":true,"
            + "\"pid\":4242,\"agent_pid\":4200}";

    private static JsonNode json(String text) throws Exception {
        return WireJson.mapper().readTree(text);
    }

    @Test
    void statsRoundTrip() throws Exception {
        JsonNode wire = json("{\"broker_version\":\"0.1.0\",\"protocol\":1,\"connections\":3,"
                + "\"peers\":{\"live\":2,\"gone\":5},"
                + "\"messages\":{\"pending\":1,\"delivered\":0,\"read\":12,\"undeliverable\":0},"
                + "\"pid\":1234,\"started_at\":\"2026-11-24T10:00:00Z\",\"uptime_ms\":5230,"
                + "\"database\":\"/home/me/.peers/peers.db\",\"listeners\":[\"unix:/home/me/.peers/peers.sock\"],"
                + "\"orphans\":[" + PEER + "],\"last_sweep\":null}");
        BrokerStats stats = BrokerJson.brokerStats(wire);
        assertEquals(3, stats.connections());
        assertEquals(new BrokerStats.PeerCounts(2, 5), stats.peers());
        assertEquals(12, stats.messages().read());
        assertEquals(Duration.ofMillis(5230), stats.uptime());
        assertEquals(Instant.parse("2026-11-24T10:00:00Z"), stats.startedAt());
        assertEquals(List.of("unix:/home/me/.peers/peers.sock"), stats.listeners());
        assertEquals("reviewer", stats.orphans().get(0).name());
        assertEquals(4200L, stats.orphans().get(0).agentPid());
        assertEquals(wire.toString(), BrokerJson.node(stats).toString(), "printed as the broker sent it");
    }

    @Test
    void helloReads() throws Exception {
        BrokerInfo info =
                BrokerJson.brokerInfo(json("{\"protocol\":1,\"broker_version\":\"0.1.0\",\"transport\":\"tcp\","
                        + "\"verified\":false,\"pid\":null,\"uid\":null}"));
        assertEquals(new BrokerInfo(1, "0.1.0", "tcp", false, null, null), info);
    }

    @Test
    void eventsRoundTripAndAnUnknownTypeIsOther() throws Exception {
        List<String> lines = List.of(
                "{\"at\":\"2026-11-24T10:15:30.123Z\",\"type\":\"peer_joined\",\"peer\":" + PEER + ",\"resumed\":true}",
                "{\"at\":\"2026-11-24T10:15:30.123Z\",\"type\":\"peer_updated\",\"peer\":" + PEER + "}",
                "{\"at\":\"2026-11-24T10:15:30.123Z\",\"type\":\"peer_left\",\"peer\":" + PEER
                        + ",\"reason\":\"closed\"}",
                "{\"at\":\"2026-11-24T10:15:30.123Z\",\"type\":\"message_sent\",\"message\":{\"id\":118,"
                        + "\"from\":\"k3v9x2m7qa\",\"to\":\"p0d8c1w5ze\",\"text\":\"tests pass\",\"reply_to\":117,"
                        + "\"sent_at\":\"2026-11-24T10:15:30.123Z\",\"delivered_at\":null,\"read_at\":null,\"state\":\"pending\",\"kind\":\"message\",\"urgency\":\"normal\",\"released_at\":null}}",
                "{\"at\":\"2026-11-24T10:15:30.123Z\",\"type\":\"messages_state\",\"recipient\":\"p0d8c1w5ze\","
                        + "\"ids\":[118,119],\"state\":\"read\"}",
                "{\"at\":\"2026-11-24T10:15:30.123Z\",\"type\":\"peer_killed\",\"peer\":" + PEER
                        + ",\"by\":\"p0d8c1w5ze\",\"signalled\":true}");
        for (String line : lines) {
            JsonNode wire = json(line);
            assertEquals(
                    wire.toString(),
                    BrokerJson.node(BrokerJson.brokerEvent(wire)).toString());
        }
        BrokerEvent.MessagesStateChanged changed =
                (BrokerEvent.MessagesStateChanged) BrokerJson.brokerEvent(json(lines.get(4)));
        assertEquals(List.of(118L, 119L), changed.ids());
        assertEquals(MessageState.READ, changed.state());

        BrokerEvent newer =
                BrokerJson.brokerEvent(json("{\"at\":\"2026-11-24T10:15:30.123Z\",\"type\":\"peer_renamed\"}"));
        assertInstanceOf(BrokerEvent.Other.class, newer);
        assertEquals("peer_renamed", newer.type());
    }

    @Test
    void anEventThisClientCannotReadIsOtherNotAFailure() throws Exception {
        String newerPeer = PEER.replace("\"claude-code\"", "\"gemini-cli\"");
        BrokerEvent event = BrokerJson.brokerEvent(
                json("{\"type\":\"peer_joined\",\"at\":\"2026-11-24T10:15:30Z\",\"peer\":" + newerPeer + "}"));
        BrokerEvent.Other other = assertInstanceOf(BrokerEvent.Other.class, event);
        assertEquals("peer_joined", other.type());
        assertEquals(Instant.parse("2026-11-24T10:15:30Z"), other.at());

        BrokerEvent missing =
                BrokerJson.brokerEvent(json("{\"type\":\"message_sent\",\"at\":\"2026-11-24T10:15:30Z\"}"));
        assertEquals(
                "message_sent",
                assertInstanceOf(BrokerEvent.Other.class, missing).type());
    }
}
