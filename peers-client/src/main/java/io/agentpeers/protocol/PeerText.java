package io.agentpeers.protocol;

/**
 * Text another peer controls (message text, summaries, folders) is data. These are the characters that
 * must not reach a terminal or a model raw, because they act instead of showing: C0 and C1 controls
 * (escape sequences, carriage return, bell), DEL, the line and paragraph separators, and the bidirectional
 * overrides and isolates that reorder what is shown. The faces decide how to show them.
 */
public final class PeerText {
    private PeerText() {}

    /** Whether {@code c} acts rather than shows (tab and line feed included). */
    public static boolean isControl(char c) {
        return c < 0x20
                || (c >= 0x7f && c <= 0x9f)
                || c == 0x2028
                || c == 0x2029
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }
}
