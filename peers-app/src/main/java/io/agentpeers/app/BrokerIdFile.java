package io.agentpeers.app;

import io.agentpeers.core.StoreException;
import io.agentpeers.protocol.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * The broker's stable id among the brokers sharing one PostgreSQL database: {@code PEERS_HOME/broker-id},
 * written once (mode 0600) with a random id and read at every start after, so that a broker that comes
 * back holds its own peers again. Read and written under the home's broker lock: one broker at a time.
 */
final class BrokerIdFile {
    static final String NAME = "broker-id";
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private BrokerIdFile() {}

    /** The id in {@code home}'s file, writing a new one first when there is none. */
    static String readOrCreate(Path home) {
        Path file = home.resolve(NAME);
        try {
            PrivateFiles.createFile(file);
            String id = PrivateFiles.read(file, StandardCharsets.US_ASCII).strip();
            if (id.isEmpty()) {
                id = newId();
                try (FileChannel channel = PrivateFiles.open(file, StandardOpenOption.WRITE)) {
                    channel.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
                    channel.force(true);
                }
            } else if (!ID.matcher(id).matches()) {
                throw new StoreException("the broker id in " + file + " is not 1 to 40 of a-z, 0-9 and '-': fix it,"
                        + " or remove the file and this broker gets a new id (its previous peers then stay gone)");
            }
            return id;
        } catch (IOException e) {
            throw new StoreException("cannot read or write the broker id " + file + ": " + e.getMessage(), e);
        }
    }

    private static String newId() {
        StringBuilder id = new StringBuilder("b-");
        for (int i = 0; i < 12; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }
}
