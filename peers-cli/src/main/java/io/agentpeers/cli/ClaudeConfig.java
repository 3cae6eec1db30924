package io.agentpeers.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Adds the peers MCP server to Claude Code's user configuration ({@code .claude.json}, where
 * {@link ClaudeFiles#state} finds it; {@code mcpServers}) when the {@code claude} command is not there to do it. The file is edited as
 * text: the entry is inserted, every other byte stays.
 */
final class ClaudeConfig {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ClaudeConfig() {}

    /** The entry {@code claude mcp add --scope user} would write. */
    static ObjectNode entry(List<String> command, Map<String, String> env) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", "stdio");
        node.put("command", command.get(0));
        command.subList(1, command.size()).forEach(node.putArray("args")::add);
        if (node.get("args") == null) {
            node.putArray("args");
        }
        ObjectNode envNode = node.putObject("env");
        env.forEach(envNode::put);
        return node;
    }

    static CodexConfig.Result plan(String existing, ObjectNode entry, boolean force) {
        String entryText = render(entry, "    ");
        if (existing == null || existing.isBlank()) {
            return new CodexConfig.Result(
                    CodexConfig.Outcome.ADDED,
                    "{\n  \"mcpServers\": {\n    \"peers\": " + entryText + "\n  }\n}\n",
                    "created the file with mcpServers.peers");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(existing);
        } catch (JsonProcessingException e) {
            return new CodexConfig.Result(
                    CodexConfig.Outcome.CONFLICT,
                    existing,
                    "the file is not valid JSON (" + e.getOriginalMessage()
                            + "); fix it, or add the server with `claude mcp add`");
        }
        if (root == null || !root.isObject()) {
            return new CodexConfig.Result(
                    CodexConfig.Outcome.CONFLICT, existing, "the file does not hold a JSON object; fix it first");
        }
        JsonNode servers = root.get("mcpServers");
        if (servers != null && !servers.isObject()) {
            return new CodexConfig.Result(
                    CodexConfig.Outcome.CONFLICT, existing, "mcpServers is not an object; fix it first");
        }
        Scanner scan = new Scanner(existing);
        int rootStart = scan.skipSpace(0);
        // Jackson keeps the last of two equal keys and the scanner edits the first: a second run would add us again.
        String twice = scan.twice(rootStart, "mcpServers");
        if (twice == null && servers != null) {
            twice = scan.twice(scan.member(rootStart, "mcpServers")[0], "peers");
        }
        if (twice != null) {
            return new CodexConfig.Result(
                    CodexConfig.Outcome.CONFLICT,
                    existing,
                    "the file has " + twice + "; merge them into one, then run this again");
        }
        if (servers == null) {
            int insertAt = rootStart + 1;
            boolean empty = root.isEmpty();
            String text = "\n  \"mcpServers\": {\n    \"peers\": " + entryText + "\n  }" + (empty ? "\n" : ",");
            return new CodexConfig.Result(
                    CodexConfig.Outcome.ADDED,
                    existing.substring(0, insertAt) + text + existing.substring(insertAt),
                    "added mcpServers.peers");
        }
        int[] serversSpan = scan.member(rootStart, "mcpServers");
        JsonNode current = servers.get("peers");
        if (current != null) {
            if (current.equals(entry)) {
                return new CodexConfig.Result(
                        CodexConfig.Outcome.UNCHANGED, existing, "mcpServers.peers is already there");
            }
            if (!force) {
                return new CodexConfig.Result(
                        CodexConfig.Outcome.CONFLICT,
                        existing,
                        "a different mcpServers.peers entry is"
                                + " already there; left as is (run again with --force to replace it; a backup is kept)");
            }
            int[] peersSpan = scan.member(serversSpan[0], "peers");
            return new CodexConfig.Result(
                    CodexConfig.Outcome.REPLACED,
                    existing.substring(0, peersSpan[0]) + entryText + existing.substring(peersSpan[1]),
                    "replaced mcpServers.peers");
        }
        int insertAt = serversSpan[0] + 1;
        String text = "\n    \"peers\": " + entryText + (servers.isEmpty() ? "\n  " : ",");
        return new CodexConfig.Result(
                CodexConfig.Outcome.ADDED,
                existing.substring(0, insertAt) + text + existing.substring(insertAt),
                "added mcpServers.peers");
    }

    /** Pretty JSON with every line after the first indented by {@code indent}. */
    private static String render(JsonNode node, String indent) {
        try {
            return Terminal.JSON.writeValueAsString(node).replace("\r\n", "\n").replace("\n", "\n" + indent);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Finds value spans in valid JSON text (Jackson has checked it) without changing a byte. */
    static final class Scanner {
        private final String text;

        Scanner(String text) {
            this.text = text;
        }

        int skipSpace(int at) {
            int i = at;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            return i;
        }

        /** The span [start, end) of the value of the first {@code key} in the object that starts at {@code objectStart}. */
        int[] member(int objectStart, String key) {
            List<int[]> spans = members(objectStart, key);
            if (spans.isEmpty()) {
                throw new IllegalStateException("no member " + key);
            }
            return spans.get(0);
        }

        /** Says where {@code key} is when the object that starts at {@code objectStart} has it more than once. */
        String twice(int objectStart, String key) {
            List<int[]> spans = members(objectStart, key);
            if (spans.size() < 2) {
                return null;
            }
            return key + " " + spans.size() + " times in one object (lines "
                    + spans.stream().map(s -> Integer.toString(line(s[0]))).collect(Collectors.joining(", ")) + ")";
        }

        private int line(int offset) {
            return (int) text.substring(0, offset)
                            .chars()
                            .filter(c -> c == '\n')
                            .count()
                    + 1;
        }

        /** The spans [start, end) of the values of every {@code key} in the object that starts at {@code objectStart}. */
        List<int[]> members(int objectStart, String key) {
            List<int[]> spans = new ArrayList<>();
            int i = skipSpace(objectStart + 1);
            while (i < text.length() && text.charAt(i) != '}') {
                int keyEnd = stringEnd(i);
                String name = text.substring(i + 1, keyEnd - 1);
                i = skipSpace(keyEnd);
                i = skipSpace(i + 1); // the colon
                int valueEnd = valueEnd(i);
                if (unescape(name).equals(key)) {
                    spans.add(new int[] {i, valueEnd});
                }
                i = skipSpace(valueEnd);
                if (i < text.length() && text.charAt(i) == ',') {
                    i = skipSpace(i + 1);
                }
            }
            return spans;
        }

        /** The spans [start, end) of the elements of the array that starts at {@code arrayStart}. */
        java.util.List<int[]> elements(int arrayStart) {
            java.util.List<int[]> spans = new java.util.ArrayList<>();
            int i = skipSpace(arrayStart + 1);
            while (i < text.length() && text.charAt(i) != ']') {
                int end = valueEnd(i);
                spans.add(new int[] {i, end});
                i = skipSpace(end);
                if (i < text.length() && text.charAt(i) == ',') {
                    i = skipSpace(i + 1);
                }
            }
            return spans;
        }

        private int stringEnd(int quote) {
            int i = quote + 1;
            while (text.charAt(i) != '"') {
                i += text.charAt(i) == '\\' ? 2 : 1;
            }
            return i + 1;
        }

        private int valueEnd(int start) {
            char c = text.charAt(start);
            if (c == '"') {
                return stringEnd(start);
            }
            if (c == '{' || c == '[') {
                int depth = 0;
                int i = start;
                while (i < text.length()) {
                    char d = text.charAt(i);
                    if (d == '"') {
                        i = stringEnd(i);
                        continue;
                    }
                    if (d == '{' || d == '[') {
                        depth++;
                    } else if (d == '}' || d == ']') {
                        depth--;
                        if (depth == 0) {
                            return i + 1;
                        }
                    }
                    i++;
                }
                return i;
            }
            int i = start;
            while (i < text.length() && ",}] \t\r\n".indexOf(text.charAt(i)) < 0) {
                i++;
            }
            return i;
        }

        private static String unescape(String name) {
            try {
                return MAPPER.readValue("\"" + name + "\"", String.class);
            } catch (JsonProcessingException e) {
                return name;
            }
        }
    }
}
