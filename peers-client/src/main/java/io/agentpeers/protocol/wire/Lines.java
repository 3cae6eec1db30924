package io.agentpeers.protocol.wire;

import java.nio.charset.StandardCharsets;

/** Encoding one outgoing line. */
public final class Lines {
    private Lines() {}

    /**
     * The UTF-8 bytes of {@code line} followed by {@code \n}.
     *
     * @throws IllegalArgumentException if the line contains a line break (it would split into two)
     */
    public static byte[] encode(String line) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a wire line must not contain a line break");
        }
        byte[] text = line.getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[text.length + 1];
        System.arraycopy(text, 0, framed, 0, text.length);
        framed[text.length] = '\n';
        return framed;
    }
}
