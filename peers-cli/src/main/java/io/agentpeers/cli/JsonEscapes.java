package io.agentpeers.cli;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import io.agentpeers.protocol.PeerText;

/**
 * JSON for a terminal: besides what JSON must escape (C0 controls, quote, backslash), every character that
 * {@link PeerText#isControl} names is written as {@code \}{@code uXXXX}: DEL, the C1 controls ({@code U+009B}
 * is a CSI to some terminals), the line separators and the bidirectional overrides. Jackson writes those raw;
 * escaped, the JSON still parses back to the same strings, and a peer's text cannot act on the terminal
 * that shows {@code --json} output.
 */
final class JsonEscapes extends CharacterEscapes {
    private final int[] ascii;

    JsonEscapes() {
        ascii = standardAsciiEscapesForJSON();
        ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
        return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
        return ch <= 0xffff && PeerText.isControl((char) ch)
                ? new SerializedString(String.format("\\u%04x", ch))
                : null;
    }
}
