package io.agentpeers.mcp;

import io.agentpeers.protocol.PeerText;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Locale;

/**
 * How a model is shown text another peer wrote, so that the text cannot pose as the server's own: each
 * message sits between an opening and a closing tag that carry a fence drawn at random when it is shown
 * (a sender cannot know it, so cannot close the envelope early or fake a second message), and the
 * fields in its header that a peer controls are one short line without control characters.
 *
 * <p>Claude Code wraps a pushed message in {@code <channel source="peers" ...>}, a tag without a fence:
 * there a text that spells a channel tag would close it or open a second one, so every such tag in the
 * text is made inert.
 */
final class Fences {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final String CHANNEL = "channel";

    private Fences() {}

    /** A fresh fence: 10 characters, 50 bits. */
    static String next() {
        char[] fence = new char[10];
        for (int i = 0; i < fence.length; i++) {
            fence[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(fence);
    }

    /**
     * A message's text in its envelope, {@code <message id="N" fence="X">} ... {@code </message fence="X">}
     * with a fresh fence, its channel tags made inert ({@link #inertChannelTags}).
     */
    static String envelope(long id, String text) {
        String fence = next();
        return "<message id=\"" + id + "\" fence=\"" + fence + "\">\n" + inertChannelTags(text) + "\n</message fence=\""
                + fence + "\">";
    }

    /**
     * {@code text} with a backslash after each {@code <} that begins a {@code channel} or {@code /channel}
     * tag, as Claude Code itself does to the closing tag: {@code <\/channel>} reads as what it is and closes
     * nothing. Look-alikes count too: full-width or small less-than and slash signs, letters in any case or
     * width, and blanks or invisible characters between them. Other text, code with generics or HTML
     * included ({@code i < channels.size()} too), is left as it is.
     */
    static String inertChannelTags(String text) {
        StringBuilder result = null;
        for (int i = 0; i < text.length(); i++) {
            if (opensChannelTag(text, i)) {
                if (result == null) {
                    result = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                result.append(text.charAt(i)).append('\\');
            } else if (result != null) {
                result.append(text.charAt(i));
            }
        }
        return result == null ? text : result.toString();
    }

    private static boolean opensChannelTag(String text, int at) {
        if (!"<".equals(folded(text.charAt(at))) || (at + 1 < text.length() && text.charAt(at + 1) == '\\')) {
            return false;
        }
        int i = skipFillers(text, at + 1);
        if (i < text.length() && isSlash(text.charAt(i))) {
            i = skipFillers(text, i + 1);
        }
        for (int letter = 0; letter < CHANNEL.length(); letter++) {
            if (letter > 0) {
                i = skipFillers(text, i);
            }
            if (i >= text.length() || !folded(text.charAt(i)).equals(String.valueOf(CHANNEL.charAt(letter)))) {
                return false;
            }
            i++;
        }
        // The name ends there, as a tag's does: `i < channels.size()` is code, not a tag.
        return i >= text.length()
                || isFiller(text.charAt(i))
                || isSlash(text.charAt(i))
                || ">".equals(folded(text.charAt(i)));
    }

    private static int skipFillers(String text, int i) {
        while (i < text.length() && isFiller(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Blanks, controls and invisible format characters (zero-width space and joiners, soft hyphen...). */
    private static boolean isFiller(char c) {
        return Character.isWhitespace(c)
                || Character.isSpaceChar(c)
                || PeerText.isControl(c)
                || Character.getType(c) == Character.FORMAT;
    }

    private static boolean isSlash(char c) {
        return "/".equals(folded(c)) || c == '\u2215' || c == '\u2044';
    }

    /** The character as compatibility-folded lower case: full-width {@code Ｃ} is {@code c}, {@code ＜} is {@code <}. */
    private static String folded(char c) {
        if (c < 0x80) {
            return String.valueOf(Character.toLowerCase(c));
        }
        return Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
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

    /**
     * A peer-controlled value for an attribute of the channel tag: one line, and none of the characters
     * that end an attribute or a tag ({@code "} becomes {@code '}, {@code <} and {@code >} become
     * {@code ‹} and {@code ›}), whether or not the client escapes attribute values (Claude Code 2.1.332 does);
     * null for null.
     */
    static String attribute(String text, int max) {
        return text == null
                ? null
                : oneLine(text, max).replace('"', '\'').replace('<', '‹').replace('>', '›');
    }
}
