package io.agentpeers.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The peers tools in Claude Code's permission rules ({@code settings.json}, {@code permissions.allow}), one rule
 * per tool, as {@code peers install codex} approves them per tool: every tool but kill_peer runs without a
 * prompt, so that a session woken by a nudge can read its messages without a person at the keyboard. In auto
 * mode (Claude Code 2.1.332's default) a call without a rule went to its classifier, and with a
 * non-Anthropic base URL a blocking dialog came up. kill_peer gets no rule: Claude Code asks each time. A rule
 * already there (the user's, or the server-wide {@code mcp__peers}) is kept; nothing is ever removed. Edited
 * as text, insertions only: every other byte stays.
 */
final class ClaudePermissions {
    /** The rules written, in this order: the read-only tools, then those that change only peers state. */
    static final List<String> RULES = Stream.concat(Stream.of("list_peers", "whoami"), CodexConfig.APPROVED.stream())
            .map(tool -> "mcp__peers__" + tool)
            .toList();

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ClaudePermissions() {}

    /** The settings text with the peers rules in {@code permissions.allow}; null or blank: no file yet. */
    static CodexConfig.Result plan(String existing) {
        if (existing == null || existing.isBlank()) {
            return new CodexConfig.Result(
                    CodexConfig.Outcome.ADDED,
                    "{\n  \"permissions\": {\n    \"allow\": [\n" + rules(RULES, "      ", ",\n") + "\n    ]\n  }\n}\n",
                    added(RULES));
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(existing);
        } catch (JsonProcessingException e) {
            return conflict(existing, "the file is not valid JSON (" + e.getOriginalMessage() + "); fix it first");
        }
        if (root == null || !root.isObject()) {
            return conflict(existing, "the file does not hold a JSON object; fix it first");
        }
        ClaudeConfig.Scanner scan = new ClaudeConfig.Scanner(existing);
        int rootStart = scan.skipSpace(0);
        JsonNode permissions = root.get("permissions");
        if (permissions == null) {
            int at = rootStart + 1;
            String insert = "\n  \"permissions\": {\n    \"allow\": [\n" + rules(RULES, "      ", ",\n")
                    + "\n    ]\n  }" + (root.isEmpty() ? "\n" : ",");
            return added(existing.substring(0, at) + insert + existing.substring(at), RULES);
        }
        if (!permissions.isObject()) {
            return conflict(existing, "permissions is not an object; fix it first");
        }
        int[] permissionsSpan = scan.member(rootStart, "permissions");
        JsonNode allow = permissions.get("allow");
        if (allow == null) {
            int at = permissionsSpan[0] + 1;
            String insert = "\n    \"allow\": [\n" + rules(RULES, "      ", ",\n") + "\n    ]"
                    + (permissions.isEmpty() ? "\n  " : ",");
            return added(existing.substring(0, at) + insert + existing.substring(at), RULES);
        }
        if (!allow.isArray()) {
            return conflict(existing, "permissions.allow is not an array; fix it first");
        }
        List<String> present = new ArrayList<>();
        allow.forEach(rule -> present.add(rule.asText("")));
        if (present.contains("mcp__peers")) {
            return unchanged(existing, "permissions.allow already allows every peers tool (mcp__peers)");
        }
        List<String> missing =
                RULES.stream().filter(rule -> !present.contains(rule)).toList();
        if (missing.isEmpty()) {
            return unchanged(existing, "permissions.allow already has the peers rules");
        }
        int[] allowSpan = scan.member(permissionsSpan[0], "allow");
        List<int[]> elements = scan.elements(allowSpan[0]);
        String text;
        if (elements.isEmpty()) {
            int at = allowSpan[0] + 1;
            text = existing.substring(0, at) + "\n" + rules(missing, "      ", ",\n") + "\n    "
                    + existing.substring(at);
        } else {
            int at = elements.get(elements.size() - 1)[1];
            text = existing.substring(0, at) + ",\n" + rules(missing, "      ", ",\n") + existing.substring(at);
        }
        return added(text, missing);
    }

    /**
     * The rules added to the text another edit of the same file planned ({@code first}, the hooks): one edit,
     * one backup. A file the first edit refused is left as it is; rules that cannot be added leave the first
     * edit as it was, with the reason in its detail.
     */
    static CodexConfig.Result after(CodexConfig.Result first) {
        if (first.outcome() == CodexConfig.Outcome.CONFLICT) {
            return first;
        }
        CodexConfig.Result rules = plan(first.text());
        String detail = first.detail() + "; " + rules.detail();
        return switch (rules.outcome()) {
            case CONFLICT ->
                new CodexConfig.Result(
                        first.outcome(), first.text(), first.detail() + "; no permission rules: " + rules.detail());
            case UNCHANGED -> new CodexConfig.Result(first.outcome(), first.text(), detail);
            default ->
                new CodexConfig.Result(
                        first.outcome() == CodexConfig.Outcome.UNCHANGED ? CodexConfig.Outcome.ADDED : first.outcome(),
                        rules.text(),
                        detail);
        };
    }

    private static String rules(List<String> rules, String indent, String separator) {
        return rules.stream().map(rule -> indent + "\"" + rule + "\"").collect(Collectors.joining(separator));
    }

    private static CodexConfig.Result added(String text, List<String> rules) {
        return new CodexConfig.Result(CodexConfig.Outcome.ADDED, text, added(rules));
    }

    private static String added(List<String> rules) {
        return "allowed the peers tools but kill_peer without a prompt (permissions.allow: " + String.join(", ", rules)
                + ")";
    }

    private static CodexConfig.Result unchanged(String existing, String detail) {
        return new CodexConfig.Result(CodexConfig.Outcome.UNCHANGED, existing, detail);
    }

    private static CodexConfig.Result conflict(String existing, String detail) {
        return new CodexConfig.Result(CodexConfig.Outcome.CONFLICT, existing, detail);
    }
}
