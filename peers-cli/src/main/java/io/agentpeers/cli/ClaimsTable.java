package io.agentpeers.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.client.PeersClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The claims on paths under {@code peers list}: holder, path, time left and note, each the holder's words as data. */
final class ClaimsTable {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ClaimsTable() {}

    /** The claims in force for a listing in {@code scope} (directory lists the repository's); none from a broker that cannot say. */
    static JsonNode fetch(PeersClient client, Scope scope) {
        Scope wanted = scope == Scope.MACHINE ? Scope.MACHINE : Scope.REPO;
        try {
            return client.call("list_claims", NODES.objectNode().put("scope", wanted.wireName()), JsonNode.class)
                    .path("claims");
        } catch (PeersException e) {
            return NODES.arrayNode();
        }
    }

    static void print(Terminal out, JsonNode claims, Instant now) {
        if (claims == null || claims.isEmpty()) {
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode claim : claims) {
            JsonNode holder = claim.path("holder");
            String who = holder.path("name").isTextual()
                    ? StatusCommands.text(holder, "name")
                    : StatusCommands.text(holder, "id");
            String state = !claim.path("holder_live").asBoolean(true)
                    ? out.yellow("gone, may resume")
                    : claim.path("verified").asBoolean(true) ? "live" : out.yellow("unverified");
            rows.add(List.of(
                    who,
                    Terminal.oneLine(claim.path("path").asText(""), 60),
                    left(claim.path("expires_at"), now) + (claim.path("shared").asBoolean() ? ", shared" : ""),
                    state,
                    Terminal.oneLine(claim.path("note").asText(""), 48)));
        }
        out.println("");
        out.println("claims on paths:");
        out.table(List.of("HOLDER", "PATH", "LEFT", "HOLDER STATE", "NOTE"), rows);
    }

    private static String left(JsonNode expiresAt, Instant now) {
        if (!expiresAt.isTextual()) {
            return "-";
        }
        try {
            return Terminal.span(Duration.between(now, Instant.parse(expiresAt.asText())));
        } catch (RuntimeException e) {
            return "-";
        }
    }
}
