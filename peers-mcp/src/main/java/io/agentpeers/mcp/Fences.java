package io.agentpeers.mcp;

import io.agentpeers.protocol.PeerText;
import java.security.SecureRandom;

/**
 * How a model is shown text another peer wrote, so that the text cannot pose as the server's own: each
 * message sits between an opening and a closing tag that carry a fence drawn at random when it is shown
 * (a sender cannot know it, so cannot close the envelope early or fake a second message), and the
 * fields in its header that a peer controls are one short line without control characters.
 */
final class Fences {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private Fences() {}

    /** A fresh fence: 10 characters, 50 bits. */
    static String next() {
        char[] fence = new char[10];
        for (int i = 0; i < fence.length; i++) {
            fence[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(fence);
    }

    /** {@code text} on one line: controls and line breaks become spaces, at most {@code max} chars. */
    static String oneLine(String text, int max) {
        StringBuilder line = new StringBuilder(Math.min(text.length(), max + 1));
        for (int i = 0; i < text.length() && line.length() <= max; i++) {
            char c = text.charAt(i);
            line.append(PeerText.isControl(c) ? ' ' : c);
        }
        String result = line.toString().strip();
        return result.length() > max ? result.substring(0, max - 1) + "…" : result;
    }
}
