package io.agentpeers.broker.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.core.AgentClaims;
import io.agentpeers.core.ClaimOutcome;
import io.agentpeers.core.Credentials;
import io.agentpeers.core.HeldClaim;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.PeerId;
import io.agentpeers.core.PeerNetwork;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.codec.ClaimsJson;
import java.util.List;

/** The broker methods of claims on paths: {@code claim_paths}, {@code release_paths}, {@code list_claims}, {@code agent_claims}. */
final class ClaimMethods {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** More than any configured per-call limit should be; the network's own limit gives the clear error. */
    private static final int MAX_PATHS = 1_000;

    private final PeerNetwork network;

    ClaimMethods(PeerNetwork network) {
        this.network = network;
    }

    JsonNode claim(PeerId caller, Params params) {
        Long ttl = params.optionalLong("ttl_minutes");
        Integer minutes = ttl == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, ttl));
        ClaimOutcome outcome = network.claimPaths(
                caller,
                params.stringsOr("paths", MAX_PATHS),
                minutes,
                params.optionalString("note"),
                params.booleanOr("share", false));
        ObjectNode result = NODES.objectNode().put("root", outcome.root());
        result.set("claimed", ClaimsJson.of(outcome.taken(), network.whoami(caller)));
        result.set("conflicts", ClaimsJson.held(outcome.conflicts()));
        return result;
    }

    JsonNode release(PeerId caller, Params params) {
        List<String> released = network.releasePaths(caller, params.stringsOr("paths", MAX_PATHS));
        ObjectNode result = NODES.objectNode();
        released.forEach(result.putArray("released")::add);
        return result;
    }

    JsonNode list(PeerId caller, Params params) {
        String scope = params.optionalString("scope");
        List<HeldClaim> claims = network.claims(caller, scope == null ? Scope.REPO : Scope.fromWireName(scope));
        return NODES.objectNode().set("claims", ClaimsJson.held(claims));
    }

    /**
     * For an agent's hook before an edit: other live peers' claims on the file, for the peer whose verified
     * agent is an ancestor of the connecting process (from the socket's credentials, never the request).
     */
    JsonNode agentClaims(Credentials credentials, Params params) {
        if (credentials == null) {
            throw new NotAuthorizedException(
                    "agent_claims needs the Unix socket: over TCP or in VM the broker cannot tell which process asks");
        }
        AgentClaims answer =
                network.agentClaims(credentials, params.requiredString("path")).orElse(null);
        ObjectNode result = NODES.objectNode();
        if (answer == null) {
            result.putNull("peer");
            result.putNull("path");
            result.putArray("claims");
            return result;
        }
        result.putObject("peer")
                .put("id", answer.peer().id().value())
                .put("name", answer.peer().name());
        result.put("path", answer.path());
        result.set("claims", ClaimsJson.held(answer.claims()));
        return result;
    }
}
