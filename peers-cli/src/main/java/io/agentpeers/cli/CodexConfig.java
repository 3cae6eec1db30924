package io.agentpeers.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Adds the peers MCP server to Codex's {@code config.toml} as text: every other byte of the file,
 * comments included, stays as it was. No TOML mapper rewrites the file; {@link TomlLines} finds the
 * entry in whatever quoting the file spells its keys.
 *
 * <p>The entry also says which tools need the user's approval, as Codex 0.171.0 reads it per tool
 * ({@code tools.<name>.approval_mode}: {@code auto}, {@code prompt}, {@code writes}, {@code approve}): the tools
 * that change only peers state run without a prompt, also in {@code codex exec}, which cannot ask; kill_peer
 * always asks, whatever its annotations. The read-only tools need no setting: their annotations let them run.
 * No {@code default_tools_approval_mode} is written: it would also approve tools a later peers adds.
 *
 * <p>The entry is {@code required}: {@code codex exec} then waits until the server has listed its tools (and
 * stops with an error when it cannot start); without it, it sent its first request to the model after about
 * 0.4 s, before a JVM had answered, and the peers tools were missing from that run.
 */
final class CodexConfig {
    /** Tools that change only peers state (a message, a read mark, a summary, a name). */
    static final List<String> APPROVED =
            List.of("send_message", "broadcast", "check_messages", "wait_for_messages", "set_summary", "set_name");
    /** Ends another agent's session: the user decides each time. */
    static final List<String> ASKED = List.of("kill_peer");

    private static final List<String> SERVERS = List.of("mcp_servers");
    private static final List<String> OURS = List.of("mcp_servers", "peers");

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
        // Else `codex exec` (0.171.0) sends its first request before the JVM has listed the tools, without them.
        text.append("required = true\n");
        text.append("# peers tools that change only peers state run without a prompt; kill_peer always asks\n");
        APPROVED.forEach(tool -> text.append(approval(tool, "approve")));
        ASKED.forEach(tool -> text.append(approval(tool, "prompt")));
        return text.toString();
    }

    private static String approval(String tool, String mode) {
        return "tools." + tool + ".approval_mode = " + quote(mode) + "\n";
    }

    /** What the entry lets run without a prompt, for the installer to say. */
    static String approvals() {
        return "approvals: " + String.join(", ", APPROVED)
                + " run without a prompt (also in `codex exec`); list_peers and whoami are read-only; "
                + String.join(", ", ASKED) + " always asks";
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
        List<TomlLines.Line> parsed = TomlLines.of(existing);
        List<Integer> ours = new ArrayList<>();
        List<String> table = List.of();
        for (int i = 0; i < lines.length; i++) {
            TomlLines.Line line = parsed.get(i);
            switch (line.kind()) {
                case TABLE -> {
                    table = line.path();
                    if (startsWith(table, OURS)) {
                        ours.add(i);
                    }
                }
                case ARRAY_TABLE -> {
                    table = line.path();
                    if (startsWith(table, SERVERS)) {
                        return unsupported(existing, i);
                    }
                }
                case KEY -> {
                    List<String> key = concat(table, line.path());
                    boolean inOurs = startsWith(table, OURS);
                    if (!inOurs && (key.equals(SERVERS) || startsWith(key, OURS))) {
                        return unsupported(existing, i);
                    }
                }
                default -> {}
            }
        }
        if (ours.isEmpty()) {
            StringBuilder text = new StringBuilder(existing);
            if (!existing.endsWith("\n")) {
                text.append('\n');
            }
            text.append('\n').append(section);
            return new Result(Outcome.ADDED, text.toString(), "added the [mcp_servers.peers] table");
        }
        List<String> wanted = meaningful(List.of(section.split("\n")));
        List<String> found = new ArrayList<>();
        for (int header : ours) {
            found.add(canonicalHeader(parsed.get(header).path()));
            found.addAll(meaningful(List.of(lines).subList(header + 1, tableEnd(parsed, header))));
        }
        if (found.equals(wanted)) {
            return new Result(Outcome.UNCHANGED, existing, "the [mcp_servers.peers] table is already there");
        }
        boolean olderPeers = found.equals(wanted.stream()
                .filter(l -> !l.startsWith("tools.") && !l.equals("required = true"))
                .toList());
        if (!force && !olderPeers) {
            return new Result(
                    Outcome.CONFLICT,
                    existing,
                    "a different [mcp_servers.peers] table is already there;"
                            + " left as is (run again with --force to replace it; a backup is kept)");
        }
        // Our tables go; the blank lines and comments that end the last one of a run belong to what follows.
        boolean[] drop = new boolean[lines.length];
        for (int header : ours) {
            int end = tableEnd(parsed, header);
            boolean oursFollows = ours.contains(end);
            int keepFrom = end;
            while (!oursFollows
                    && keepFrom - 1 > header
                    && (lines[keepFrom - 1].isBlank()
                            || lines[keepFrom - 1].strip().startsWith("#"))) {
                keepFrom--;
            }
            for (int i = header; i < keepFrom; i++) {
                drop[i] = true;
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (i == ours.get(0)) {
                out.addAll(List.of(section.split("\n")));
            }
            if (!drop[i]) {
                out.add(lines[i]);
            }
        }
        return new Result(
                Outcome.REPLACED,
                String.join("\n", out),
                olderPeers
                        ? "updated the [mcp_servers.peers] table an older peers wrote (tool approvals and required added)"
                        : "replaced the [mcp_servers.peers] table");
    }

    private static Result unsupported(String existing, int line) {
        return new Result(
                Outcome.CONFLICT,
                existing,
                "the file defines mcp_servers in a form this installer does not edit (line " + (line + 1)
                        + "); add the [mcp_servers.peers] table by hand");
    }

    /** The line after the table that starts at {@code header}: the next header, or the end. */
    private static int tableEnd(List<TomlLines.Line> parsed, int header) {
        int end = header + 1;
        while (end < parsed.size()
                && parsed.get(end).kind() != TomlLines.Kind.TABLE
                && parsed.get(end).kind() != TomlLines.Kind.ARRAY_TABLE) {
            end++;
        }
        return end;
    }

    private static String canonicalHeader(List<String> path) {
        return "[" + String.join(".", path) + "]";
    }

    private static boolean startsWith(List<String> path, List<String> prefix) {
        return path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix);
    }

    private static List<String> concat(List<String> table, List<String> key) {
        List<String> all = new ArrayList<>(table);
        all.addAll(key);
        return all;
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
