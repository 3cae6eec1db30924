package io.agentpeers.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Adds the peers MCP server to Codex's {@code config.toml} as text: every other byte of the file,
 * comments included, stays as it was. No TOML mapper rewrites the file.
 */
final class CodexConfig {
    private static final Pattern OUR_HEADER =
            Pattern.compile("^\\s*\\[\\s*mcp_servers\\s*\\.\\s*(peers|\"peers\"|'peers')\\s*]\\s*(#.*)?$");
    private static final Pattern ANY_HEADER = Pattern.compile("^\\s*\\[.*$");
    private static final Pattern SERVERS_HEADER = Pattern.compile("^\\s*\\[\\s*mcp_servers\\s*]\\s*(#.*)?$");
    private static final Pattern INLINE_PEERS = Pattern.compile("^\\s*(peers|\"peers\")\\s*=.*$");
    private static final Pattern DOTTED = Pattern.compile("^\\s*mcp_servers\\s*(\\.\\s*(peers|\"peers\")\\s*)?[.=].*$");

    enum Outcome {
        ADDED,
        UNCHANGED,
        REPLACED,
        CONFLICT
    }

    record Result(Outcome outcome, String text, String detail) {}

    private CodexConfig() {}

    /** The table this program wants. */
    static String section(List<String> command, Map<String, String> env) {
        StringBuilder text = new StringBuilder();
        text.append("[mcp_servers.peers]\n");
        text.append("command = ").append(quote(command.get(0))).append('\n');
        text.append("args = [")
                .append(command.subList(1, command.size()).stream()
                        .map(CodexConfig::quote)
                        .collect(Collectors.joining(", ")))
                .append("]\n");
        if (!env.isEmpty()) {
            text.append("env = { ")
                    .append(env.entrySet().stream()
                            .map(e -> e.getKey() + " = " + quote(e.getValue()))
                            .collect(Collectors.joining(", ")))
                    .append(" }\n");
        }
        // A JVM's cold start takes a second or two; Codex's default allows 10 s, which a busy machine can pass.
        text.append("startup_timeout_sec = 30\n");
        return text.toString();
    }

    /**
     * The file's text with our table in it.
     *
     * @param existing the file's text, or null when there is none
     * @param force    replace a differing {@code [mcp_servers.peers]} table instead of reporting a conflict
     */
    static Result plan(String existing, String section, boolean force) {
        if (existing == null || existing.isEmpty()) {
            return new Result(Outcome.ADDED, section, "created the [mcp_servers.peers] table");
        }
        String[] lines = existing.split("\n", -1);
        int header = -1;
        boolean inServers = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (OUR_HEADER.matcher(line).matches()) {
                header = i;
                break;
            }
            if (ANY_HEADER.matcher(line).matches()) {
                inServers = SERVERS_HEADER.matcher(line).matches();
                continue;
            }
            if ((inServers && INLINE_PEERS.matcher(line).matches())
                    || DOTTED.matcher(line).matches()) {
                return new Result(
                        Outcome.CONFLICT,
                        existing,
                        "the file defines mcp_servers in a form this installer does" + " not edit (line " + (i + 1)
                                + "); add the [mcp_servers.peers] table by hand");
            }
        }
        if (header < 0) {
            StringBuilder text = new StringBuilder(existing);
            if (!existing.endsWith("\n")) {
                text.append('\n');
            }
            text.append('\n').append(section);
            return new Result(Outcome.ADDED, text.toString(), "added the [mcp_servers.peers] table");
        }
        int end = header + 1;
        while (end < lines.length && !ANY_HEADER.matcher(lines[end]).matches()) {
            end++;
        }
        List<String> body = new ArrayList<>();
        for (int i = header + 1; i < end; i++) {
            body.add(lines[i]);
        }
        if (meaningful(body).equals(meaningful(List.of(section.split("\n")).subList(1, section.split("\n").length)))) {
            return new Result(Outcome.UNCHANGED, existing, "the [mcp_servers.peers] table is already there");
        }
        if (!force) {
            return new Result(
                    Outcome.CONFLICT,
                    existing,
                    "a different [mcp_servers.peers] table is already there;"
                            + " left as is (run again with --force to replace it; a backup is kept)");
        }
        // Keep the blank lines and comments that end the old table: they belong to what follows.
        int keepFrom = end;
        while (keepFrom - 1 > header
                && (lines[keepFrom - 1].isBlank() || lines[keepFrom - 1].strip().startsWith("#"))) {
            keepFrom--;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < header; i++) {
            out.add(lines[i]);
        }
        String[] ours = section.split("\n");
        out.addAll(List.of(ours));
        for (int i = keepFrom; i < lines.length; i++) {
            out.add(lines[i]);
        }
        return new Result(Outcome.REPLACED, String.join("\n", out), "replaced the [mcp_servers.peers] table");
    }

    private static List<String> meaningful(List<String> lines) {
        return lines.stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }

    /** A TOML basic string. */
    static String quote(String value) {
        StringBuilder text = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\t' -> text.append("\\t");
                default -> {
                    if (c < 0x20) {
                        text.append(String.format("\\u%04x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        return text.append('"').toString();
    }
}
