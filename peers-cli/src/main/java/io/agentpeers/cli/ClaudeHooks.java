package io.agentpeers.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers hooks in Claude Code's settings file ({@code settings.json}, key {@code hooks}): one group per
 * event that runs the Node script {@value #SCRIPT_NAME}. The file is edited as text, one insertion or
 * replacement at a time: every other byte stays. A group is the peers one when one of its commands names
 * the script; it is replaced when its command differs (a moved home, another node), never duplicated.
 */
final class ClaudeHooks {
    static final String SCRIPT_NAME = "peers-hook.cjs";
    /** The script's name before it was CommonJS: hooks that run it are the peers ones too, and get replaced. */
    static final String OLD_SCRIPT_NAME = "peers-hook.mjs";

    static final List<String> EVENTS = List.of("UserPromptSubmit", "Stop", "SessionStart", "PreToolUse");
    /** The tools whose calls edit a file: PreToolUse runs the script for these only, to warn of claims. */
    static final String EDIT_MATCHER = "Edit|Write|MultiEdit|NotebookEdit";
    /** The script's flag that denies an edit of a file another live peer claims, instead of only telling. */
    static final String BLOCK_FLAG = "--block-claimed";
    /** Claude Code's own limit for the command, in seconds; the script gives up after 0.9 s by itself. */
    static final int TIMEOUT_SECONDS = 5;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ClaudeHooks() {}

    /** The shell command Claude Code runs: node, the script, and the broker's socket, each quoted. */
    static String command(Path node, Path script, Path socket) {
        return command(node, script, socket, false);
    }

    /** The command, with {@value #BLOCK_FLAG} when edits of files other peers claim are to be denied. */
    static String command(Path node, Path script, Path socket, boolean blockClaimed) {
        List<String> words = new ArrayList<>(List.of(node.toString(), script.toString(), socket.toString()));
        if (blockClaimed) {
            words.add(BLOCK_FLAG);
        }
        return InstallCommands.shell(words);
    }

    /** The script, as shipped in this jar. */
    static String script() {
        try (InputStream in = ClaudeHooks.class.getResourceAsStream(SCRIPT_NAME)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT_NAME + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The matcher group of one event: {@code {"hooks": [{"type": "command", "command": ..., "timeout": 5}]}}, for
     * PreToolUse with the {@value #EDIT_MATCHER} matcher first.
     */
    static ObjectNode group(String command, String event) {
        ObjectNode group = JsonNodeFactory.instance.objectNode();
        if (event.equals("PreToolUse")) {
            group.put("matcher", EDIT_MATCHER);
        }
        group.putArray("hooks")
                .addObject()
                .put("type", "command")
                .put("command", command)
                .put("timeout", TIMEOUT_SECONDS);
        return group;
    }

    /** The settings text with the peers hooks in it; {@code existing} is null or blank when there is no file. */
    static CodexConfig.Result plan(String existing, String command) {
        if (existing == null || existing.isBlank()) {
            StringBuilder text = new StringBuilder("{\n  \"hooks\": {");
            for (int i = 0; i < EVENTS.size(); i++) {
                text.append(i == 0 ? "\n" : ",\n")
                        .append("    \"")
                        .append(EVENTS.get(i))
                        .append("\": [\n      ")
                        .append(render(group(command, EVENTS.get(i)), "      "))
                        .append("\n    ]");
            }
            text.append("\n  }\n}\n");
            return new CodexConfig.Result(
                    CodexConfig.Outcome.ADDED, text.toString(), "created the file with the peers hooks " + events());
        }
        String text = existing;
        List<String> added = new ArrayList<>();
        List<String> replaced = new ArrayList<>();
        for (String event : EVENTS) {
            ObjectNode group = group(command, event);
            JsonNode root;
            try {
                root = MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                return conflict(existing, "the file is not valid JSON (" + e.getOriginalMessage() + "); fix it first");
            }
            if (root == null || !root.isObject()) {
                return conflict(existing, "the file does not hold a JSON object; fix it first");
            }
            ClaudeConfig.Scanner scan = new ClaudeConfig.Scanner(text);
            int rootStart = scan.skipSpace(0);
            JsonNode hooks = root.get("hooks");
            if (hooks == null) {
                int at = rootStart + 1;
                String insert = "\n  \"hooks\": {\n    \"" + event + "\": [\n      " + render(group, "      ")
                        + "\n    ]\n  }" + (root.isEmpty() ? "\n" : ",");
                text = text.substring(0, at) + insert + text.substring(at);
                added.add(event);
                continue;
            }
            if (!hooks.isObject()) {
                return conflict(existing, "hooks is not an object; fix it first");
            }
            int[] hooksSpan = scan.member(rootStart, "hooks");
            JsonNode groups = hooks.get(event);
            if (groups == null) {
                int at = hooksSpan[0] + 1;
                String insert = "\n    \"" + event + "\": [\n      " + render(group, "      ") + "\n    ]"
                        + (hooks.isEmpty() ? "\n  " : ",");
                text = text.substring(0, at) + insert + text.substring(at);
                added.add(event);
                continue;
            }
            if (!groups.isArray()) {
                return conflict(existing, "hooks." + event + " is not an array; fix it first");
            }
            int ours = -1;
            for (int i = 0; i < groups.size(); i++) {
                if (isPeers(groups.get(i))) {
                    ours = i;
                    break;
                }
            }
            int[] arraySpan = scan.member(hooksSpan[0], event);
            List<int[]> elements = scan.elements(arraySpan[0]);
            if (ours >= 0) {
                if (groups.get(ours).equals(group)) {
                    continue;
                }
                if (groups.get(ours).path("hooks").size() != 1) {
                    return conflict(
                            existing,
                            "a hooks." + event + " group runs " + SCRIPT_NAME + " beside other commands; move the"
                                    + " others to a group of their own, or remove the peers one, then run again");
                }
                int[] span = elements.get(ours);
                text = text.substring(0, span[0]) + render(group, "      ") + text.substring(span[1]);
                replaced.add(event);
                continue;
            }
            if (elements.isEmpty()) {
                int at = arraySpan[0] + 1;
                text = text.substring(0, at) + "\n      " + render(group, "      ") + "\n    " + text.substring(at);
            } else {
                int at = elements.get(elements.size() - 1)[1];
                text = text.substring(0, at) + ",\n      " + render(group, "      ") + text.substring(at);
            }
            added.add(event);
        }
        if (added.isEmpty() && replaced.isEmpty()) {
            return new CodexConfig.Result(
                    CodexConfig.Outcome.UNCHANGED, existing, "the peers hooks " + events() + " are already there");
        }
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add("added the peers hooks " + String.join(", ", added));
        }
        if (!replaced.isEmpty()) {
            parts.add("updated the peers hooks " + String.join(", ", replaced));
        }
        return new CodexConfig.Result(
                replaced.isEmpty() ? CodexConfig.Outcome.ADDED : CodexConfig.Outcome.REPLACED,
                text,
                String.join("; ", parts));
    }

    /** Whether a matcher group runs the peers script. */
    static boolean isPeers(JsonNode group) {
        for (JsonNode hook : group.path("hooks")) {
            String command = hook.path("command").asText("");
            if (command.contains(SCRIPT_NAME) || command.contains(OLD_SCRIPT_NAME)) {
                return true;
            }
        }
        return false;
    }

    private static String events() {
        return String.join(", ", EVENTS);
    }

    private static CodexConfig.Result conflict(String existing, String detail) {
        return new CodexConfig.Result(CodexConfig.Outcome.CONFLICT, existing, detail);
    }

    private static String render(JsonNode node, String indent) {
        try {
            return Terminal.JSON.writeValueAsString(node).replace("\r\n", "\n").replace("\n", "\n" + indent);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
