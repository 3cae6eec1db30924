package io.agentpeers.transport.tcp;

import io.agentpeers.protocol.transport.TransportException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret a TCP caller presents in {@code hello}: 256 random bits as 64 hex digits, kept in a file
 * of mode 0600 (its folder, when created here, 0700). The broker calls {@link #readOrCreate()} at
 * start; clients call {@link #read()}. Compare with {@link #matches}, which takes constant time.
 */
public final class TokenFile {
    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);
    private static final int TOKEN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;

    /** The token file at {@code path}; nothing is read or written until {@link #read()} or {@link #readOrCreate()}. */
    public TokenFile(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    /** Where the token is kept. */
    public Path path() {
        return path;
    }

    /** The token in the file, writing a new random one (mode 0600) first if there is none. */
    public String readOrCreate() {
        if (Files.exists(path)) {
            return read();
        }
        String token = HexFormat.of().formatHex(randomBytes());
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (!Files.isDirectory(parent)) {
                Files.createDirectories(parent);
                Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx------"));
            }
            // Written under another name, then moved into place: a reader never sees half a token.
            Path temp = Files.createTempFile(
                    parent,
                    ".token",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, token + "\n", StandardCharsets.US_ASCII);
                try {
                    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, path);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            LOG.info("wrote a new TCP token to {}", path);
            return token;
        } catch (FileAlreadyExistsException e) {
            return read();
        } catch (IOException e) {
            throw new TransportException("cannot write the token file " + path + ": " + e.getMessage(), e);
        }
    }

    /** The token in the file; fails clearly when there is none. */
    public String read() {
        String token;
        try {
            token = Files.readString(path, StandardCharsets.US_ASCII).strip();
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
            if (mode.stream()
                    .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                LOG.warn(
                        "the token file {} is readable by others (mode {}); it should be 0600",
                        path,
                        PosixFilePermissions.toString(mode));
            }
        } catch (NoSuchFileException e) {
            throw new TransportException("no token file at " + path + ": start the broker with TCP enabled first", e);
        } catch (IOException e) {
            throw new TransportException("cannot read the token file " + path + ": " + e.getMessage(), e);
        }
        if (token.isEmpty()) {
            throw new TransportException("the token file " + path + " is empty; delete it and restart the broker");
        }
        return token;
    }

    /** Whether {@code presented} equals {@code expected}, in time independent of where they differ. */
    public static boolean matches(String expected, String presented) {
        if (expected == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
