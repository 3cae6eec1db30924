package io.agentpeers.transport.tcp;

import io.agentpeers.protocol.PrivateFiles;
import io.agentpeers.protocol.transport.TransportException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * of mode 0600 (its folder, when created here, 0700), held to {@link PrivateFiles}' rule. The broker calls {@link #readOrCreate()} at
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

    /**
     * The token in the file, writing a new random one (mode 0600) first if there is none. Brokers that
     * start at the same moment agree: the first file in place wins and the others read it.
     *
     * @throws io.agentpeers.protocol.NotPrivateException when the folder or the file is not private to this user
     */
    public String readOrCreate() {
        try {
            Path folder = PrivateFiles.requireFolder(path.toAbsolutePath().getParent(), "PEERS_HOME");
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return read();
            }
            String token = HexFormat.of().formatHex(randomBytes());
            // Written whole under another name, then linked into place: a reader never sees half a token,
            // and a link, unlike a move, never replaces a token another broker placed first.
            Path temp = Files.createTempFile(
                    folder,
                    ".token",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, token + "\n", StandardCharsets.US_ASCII);
                place(temp);
            } catch (FileAlreadyExistsException e) {
                return read();
            } finally {
                Files.deleteIfExists(temp);
            }
            LOG.info("wrote a new TCP token to {}", path);
            return token;
        } catch (IOException e) {
            throw new TransportException("cannot write the token file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The token in the file, opened without following a link; fails clearly when there is none.
     *
     * @throws io.agentpeers.protocol.NotPrivateException when the file is a link or another user's
     */
    public String read() {
        String token;
        try {
            token = PrivateFiles.read(path, StandardCharsets.US_ASCII).strip();
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
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

    private void place(Path temp) throws IOException {
        try {
            Files.createLink(path, temp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.move(temp, path); // no hard links here: a move that refuses an existing token (checked, then renamed)
        }
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
