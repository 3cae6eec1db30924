package io.agentpeers.mcp;

import java.time.Duration;
import java.util.Map;

/**
 * A way into the agent's own session that opens a turn there: Claude Code's session inbox
 * ({@link ClaudeSessionInbox}) or Codex's thread queue ({@link CodexThreadQueue}). Only {@link InboxNudge}s
 * go in, so no message text ever does; {@link InboxNudger} decides when.
 */
interface SessionWake {
    /** Whether a nudge can be written now (Codex's names its thread only with the first tool call). */
    boolean ready();

    /**
     * Learns what a tool call's {@code _meta} says about the session; returns whether that made this wake
     * {@link #ready()}. Most wakes know their session from the start and ignore it.
     */
    default boolean learn(Map<String, Object> meta) {
        return false;
    }

    /** Writes the nudge; never throws, never takes much longer than {@code timeout}. */
    Outcome deliver(InboxNudge nudge, Duration timeout);

    /** What one {@link #deliver} did: written, or not, with a reason that holds no secret. */
    record Outcome(boolean written, String problem) {
        static final Outcome WRITTEN = new Outcome(true, null);

        static Outcome notWritten(String problem) {
            return new Outcome(false, problem);
        }
    }
}
