package io.agentpeers.mcp;

import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.local.BrokerStarter;
import io.agentpeers.protocol.PeersPaths;
import java.util.Objects;
import java.util.Set;

/**
 * How one {@code peers mcp} server runs.
 *
 * @param clientType    {@code claude-code} (push through channel notifications), {@code codex} or
 *                      {@code generic} (no push: the agent checks or waits)
 * @param name          the peer name to ask for ({@code [a-z0-9-]{1,32}}), or null
 * @param paths         where the broker is (from the environment in production)
 * @param brokerStarter starts a broker when none answers on the Unix socket; null never starts one
 * @param inbox         the inbox of the Claude Code session that started this server
 *                      ({@link ClaudeSessionInbox#fromEnvironment} of this process's own environment), or null:
 *                      with {@code claude-code}, new messages wake the session through it
 */
public record McpSettings(
        String clientType, String name, PeersPaths paths, BrokerStarter brokerStarter, ClaudeSessionInbox inbox) {
    /** The client types an MCP server accepts ({@code cli} belongs to the command line). */
    public static final Set<String> CLIENT_TYPES = Set.of("claude-code", "codex", "generic");

    public McpSettings {
        Objects.requireNonNull(clientType, "clientType");
        Objects.requireNonNull(paths, "paths");
        if (!CLIENT_TYPES.contains(clientType)) {
            throw new InvalidArgumentException(
                    "unknown client type '" + clientType + "' for the MCP server: use claude-code, codex or generic");
        }
        name = name == null || name.isBlank() ? null : name.strip();
    }

    /** Settings without a session inbox: nothing wakes the session. */
    public McpSettings(String clientType, String name, PeersPaths paths, BrokerStarter brokerStarter) {
        this(clientType, name, paths, brokerStarter, null);
    }

    /** Whether this client gets messages pushed as {@code notifications/claude/channel}. */
    public boolean pushes() {
        return "claude-code".equals(clientType);
    }

    /** The inbox to wake the session through: only Claude Code's, and only when it gave one. */
    ClaudeSessionInbox wakeInbox() {
        return pushes() ? inbox : null;
    }
}
