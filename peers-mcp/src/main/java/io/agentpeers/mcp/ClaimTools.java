package io.agentpeers.mcp;

import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.Scope;
import io.agentpeers.protocol.ClaimInfo;
import io.agentpeers.protocol.ClaimResult;
import io.agentpeers.protocol.client.PeersClient;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tools {@code claim_paths} and {@code release_paths}, and the claims lines of {@code list_peers}: a few
 * plain lines each. A claim's note and its holder's name are the holder's own words: one line each, cut short.
 */
final class ClaimTools {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimTools.class);
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final int SHOWN = 10;

    static final String CLAIM_DESCRIPTION =
            "Claim files you will change (paths, globs * ? **) to warn others; overlapping claims come back instead.";

    static final String RELEASE_DESCRIPTION = "Release your claims on paths, or all.";

    private ClaimTools() {}

    static Map<String, Object> pathsProperty() {
        return Map.of("type", "array", "items", Map.of("type", "string"), "description", "Paths, globs.");
    }

    static String claim(PeersClient client, Map<String, Object> args) {
        List<String> paths = paths(args);
        if (paths.isEmpty()) {
            throw new InvalidArgumentException("'paths' is required: the files, folders or globs you are changing");
        }
        Object ttl = args.get("ttl_minutes");
        Integer minutes = ttl == null ? null : minutes(ttl);
        Object note = args.get("note");
        boolean share = Boolean.parseBoolean(String.valueOf(args.getOrDefault("share", "false")));
        ClaimResult result = client.claimPaths(paths, minutes, note == null ? null : note.toString(), share);
        StringBuilder text = new StringBuilder();
        if (result.taken().isEmpty()) {
            text.append("Nothing claimed: another agent claims an overlapping path.\n");
            appendLines(text, result.conflicts());
            return text.append("Ask them (send_message), work elsewhere, or claim again with share=true.")
                    .toString();
        }
        ClaimInfo first = result.taken().get(0);
        text.append("Claimed ")
                .append(String.join(
                        ", ", result.taken().stream().map(ClaimInfo::path).toList()))
                .append(" until ")
                .append(until(first.expiresAt()))
                .append(" (paths from ")
                .append(Fences.oneLine(result.root(), 200))
                .append("). Release them with release_paths when done.");
        if (!result.conflicts().isEmpty()) {
            text.append("\nShared with:\n");
            appendLines(text, result.conflicts());
        }
        return text.toString().strip();
    }

    static String release(PeersClient client, Map<String, Object> args) {
        List<String> released = client.releasePaths(paths(args));
        return released.isEmpty()
                ? "You held no such claim; nothing released."
                : "Released " + String.join(", ", released) + ".";
    }

    /** The lines list_peers adds: claims in force in the scope, or nothing when there are none or the broker cannot say. */
    static String listing(PeersClient client, Scope scope) {
        List<ClaimInfo> claims;
        try {
            claims = client.listClaims(scope == Scope.MACHINE ? Scope.MACHINE : Scope.REPO);
        } catch (PeersException e) {
            LOG.debug("cannot list claims: {}", e.getMessage());
            return "";
        }
        if (claims.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("\nClaims (claim_paths):\n");
        appendLines(text, claims);
        return text.toString().stripTrailing();
    }

    private static void appendLines(StringBuilder text, List<ClaimInfo> claims) {
        for (ClaimInfo claim : claims.subList(0, Math.min(SHOWN, claims.size()))) {
            text.append("- ").append(line(claim)).append('\n');
        }
        if (claims.size() > SHOWN) {
            text.append("- and ").append(claims.size() - SHOWN).append(" more\n");
        }
    }

    static String line(ClaimInfo claim) {
        StringBuilder line = new StringBuilder(Fences.oneLine(claim.holderDisplayName(), 40));
        if (claim.holderName() != null) {
            line.append(" (id ").append(claim.holderId()).append(')');
        }
        if (!claim.verified()) {
            line.append(" UNVERIFIED (network)");
        }
        if (!claim.holderLive()) {
            line.append(" (gone; back if it resumes)");
        }
        line.append(": ")
                .append(Fences.oneLine(claim.path(), 200))
                .append(" until ")
                .append(until(claim.expiresAt()));
        if (claim.shared()) {
            line.append(", shared");
        }
        if (!claim.note().isEmpty()) {
            line.append(", note: \"")
                    .append(Fences.oneLine(claim.note(), 160).replace('"', '\''))
                    .append('"');
        }
        return line.toString();
    }

    private static String until(Instant at) {
        if (at == null) {
            return "?";
        }
        long minutes = Math.max(0, Duration.between(Instant.now(), at).toMinutes());
        return CLOCK.format(at) + " UTC (" + minutes + " min left)";
    }

    private static List<String> paths(Map<String, Object> args) {
        Object value = args.get("paths");
        List<String> paths = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(item -> paths.add(String.valueOf(item)));
        } else if (value != null && !value.toString().isBlank()) {
            paths.add(value.toString()); // a model that sent one path as a string
        }
        return paths;
    }

    private static int minutes(Object value) {
        if (value instanceof Number number) {
            return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number.longValue()));
        }
        try {
            return Integer.parseInt(value.toString().strip());
        } catch (NumberFormatException e) {
            throw new InvalidArgumentException("'ttl_minutes' must be a whole number of minutes, not '" + value + "'");
        }
    }
}
