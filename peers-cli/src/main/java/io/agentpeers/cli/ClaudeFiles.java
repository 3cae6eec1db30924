package io.agentpeers.cli;

import java.nio.file.Path;

/**
 * Where Claude Code keeps the files peers edits: with {@code CLAUDE_CONFIG_DIR} set, both in that folder (seen
 * in 2.1.332: {@code claude mcp add} wrote that folder's {@code .claude.json}); otherwise {@code ~/.claude.json}
 * and {@code ~/.claude/settings.json}.
 */
final class ClaudeFiles {
    private ClaudeFiles() {}

    /** The user state with {@code mcpServers}. */
    static Path state(CliContext context) {
        Path dir = configDir(context);
        return dir == null ? context.userHome().resolve(".claude.json") : dir.resolve(".claude.json");
    }

    /** The settings with {@code hooks} and {@code permissions}. */
    static Path settings(CliContext context) {
        Path dir = configDir(context);
        return (dir == null ? context.userHome().resolve(".claude") : dir).resolve("settings.json");
    }

    private static Path configDir(CliContext context) {
        String dir = context.env().get("CLAUDE_CONFIG_DIR");
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }
}
