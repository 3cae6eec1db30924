package io.agentpeers.protocol.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.Claim;
import io.agentpeers.core.HeldClaim;
import io.agentpeers.core.Peer;
import io.agentpeers.protocol.ClaimInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Claims on paths in their wire shape (docs/protocol.md, "Claim") and back. Stateless. */
public final class ClaimsJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ClaimsJson() {}

    /** A claim with its holder. */
    public static ObjectNode claim(Claim claim, Peer holder) {
        ObjectNode node = NODES.objectNode();
        node.put("id", claim.id());
        node.put("path", claim.pattern());
        node.putObject("holder").put("id", holder.id().value()).put("name", holder.name());
        node.put("holder_live", holder.live());
        node.put("verified", holder.verified());
        node.put("note", claim.note());
        node.put("shared", claim.shared());
        node.put("claimed_at", claim.claimedAt().toString());
        node.put("expires_at", claim.expiresAt().toString());
        return node;
    }

    /** Claims with their holders, in order. */
    public static ArrayNode held(List<HeldClaim> claims) {
        ArrayNode array = NODES.arrayNode();
        claims.forEach(h -> array.add(claim(h.claim(), h.holder())));
        return array;
    }

    /** Claims all held by {@code holder}, in order. */
    public static ArrayNode of(List<Claim> claims, Peer holder) {
        ArrayNode array = NODES.arrayNode();
        claims.forEach(c -> array.add(claim(c, holder)));
        return array;
    }

    /** A claim from its wire shape; missing fields become null, false or 0. */
    public static ClaimInfo claimInfo(JsonNode node) {
        JsonNode holder = node.path("holder");
        return new ClaimInfo(
                node.path("id").asLong(),
                node.path("path").asText(""),
                holder.path("id").asText(""),
                holder.path("name").isTextual() ? holder.path("name").asText() : null,
                node.path("holder_live").asBoolean(false),
                node.path("verified").asBoolean(false),
                node.path("note").asText(""),
                node.path("shared").asBoolean(false),
                instant(node.path("claimed_at")),
                instant(node.path("expires_at")));
    }

    /** Claims from a wire array; a missing array is none. */
    public static List<ClaimInfo> claimInfos(JsonNode array) {
        List<ClaimInfo> claims = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(node -> claims.add(claimInfo(node)));
        }
        return claims;
    }

    private static Instant instant(JsonNode node) {
        return node.isTextual() ? Instant.parse(node.asText()) : null;
    }
}
