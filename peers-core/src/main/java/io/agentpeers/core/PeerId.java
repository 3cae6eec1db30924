package io.agentpeers.core;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * A peer's id: ten characters of lower-case Crockford base32, 50 random bits, so that it is short,
 * printable and cannot be guessed. {@link #BROKER} is the sender of the broker's own notices.
 */
public record PeerId(String value) implements Comparable<PeerId> {
    private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final int LENGTH = 10;
    private static final int MAX_LENGTH = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The broker itself, sender of notices such as "your message could not be delivered". */
    public static final PeerId BROKER = new PeerId("broker");

    /** @throws InvalidArgumentException unless the value is 1 to 64 lower-case letters and digits */
    public PeerId {
        Objects.requireNonNull(value, "value");
        if (!hasShape(value)) {
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
        return text != null && hasShape(text);
    }

    /**
     * {@code [0-9a-z]{1,64}}, checked by hand: every row read from the store makes ids (a {@code pending}
     * of 50 makes 100), and the regex took about 100 ns an id, this 11-18.
     */
    private static boolean hasShape(String text) {
        int length = text.length();
        if (length < 1 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }

    /*
     * equals and hashCode by hand: a record's own go through invokedynamic (ObjectMethods), which the
     * broker's C1-only JIT does not inline; a list_peers of 1,000 peers spent a fifth of its time in
     * PeerId.equals and in ConcurrentHashMap lookups by PeerId.
     */
    @Override
    public boolean equals(Object other) {
        return this == other || (other instanceof PeerId id && value.equals(id.value));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
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
