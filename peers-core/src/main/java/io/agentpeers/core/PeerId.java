package io.agentpeers.core;

import java.security.SecureRandom;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A peer's id: ten characters of lower-case Crockford base32, 50 random bits, so that it is short,
 * printable and cannot be guessed. {@link #BROKER} is the sender of the broker's own notices.
 */
public record PeerId(String value) implements Comparable<PeerId> {
    private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final int LENGTH = 10;
    private static final Pattern SHAPE = Pattern.compile("[0-9a-z]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The broker itself, sender of notices such as "your message could not be delivered". */
    public static final PeerId BROKER = new PeerId("broker");

    /** @throws InvalidArgumentException unless the value is 1 to 64 lower-case letters and digits */
    public PeerId {
        Objects.requireNonNull(value, "value");
        if (!SHAPE.matcher(value).matches()) {
            throw new InvalidArgumentException(
                    "'" + value + "' is not a peer id: ids are 1 to 64 lower-case letters and digits");
        }
    }

    /** A fresh random id. */
    public static PeerId random() {
        char[] chars = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            chars[i] = ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length()));
        }
        return new PeerId(new String(chars));
    }

    /** Whether {@code text} has the shape of an id (it may still name no peer). */
    public static boolean looksLikeId(String text) {
        return text != null && SHAPE.matcher(text).matches();
    }

    @Override
    public int compareTo(PeerId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
