package io.agentpeers.broker;

import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.PeersException;
import io.agentpeers.protocol.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * One broker per home: an exclusive lock on a file, held for the broker's life and released by the
 * operating system if the process dies. The file holds the owner's pid, for messages. Its folder and
 * the file are held to {@link PrivateFiles}' rule (the file is opened without following a link, made 0600).
 */
public final class BrokerLock implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private BrokerLock(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock or fails with a message that names the broker holding it.
     *
     * @throws BrokerAlreadyRunningException when another broker holds it
     * @throws io.agentpeers.protocol.NotPrivateException when the folder or the file is not private to this user
     */
    public static BrokerLock acquire(Path path) {
        return acquire(
                path,
                "PEERS_HOME",
                owner -> "another broker is running for this home" + owner
                        + ": use it, or stop it with `peers broker stop`");
    }

    /**
     * Takes the lock of a database file, {@code <file>.lock} beside it: brokers of two homes given the same
     * {@code --db} would both write it. Released by the operating system when the process dies.
     *
     * @throws BrokerAlreadyRunningException when another broker holds it
     */
    public static BrokerLock acquireDatabase(Path database) {
        Path file = database.toAbsolutePath();
        return acquire(
                file.resolveSibling(file.getFileName() + ".lock"),
                "PEERS_DB",
                owner -> "another broker" + owner + " uses the database " + file
                        + ": give this one a database of its own (--db or PEERS_DB), or stop that broker");
    }

    private static BrokerLock acquire(Path path, String setting, Function<String, String> busy) {
        try {
            PrivateFiles.requireFolder(path.toAbsolutePath().getParent(), setting);
            FileChannel channel = PrivateFiles.open(
                    path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String owner = readOwner(channel);
                channel.close();
                throw new BrokerAlreadyRunningException(busy.apply(owner.isEmpty() ? "" : " (pid " + owner + ")"));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new BrokerLock(path, channel, lock);
        } catch (IOException e) {
            throw new BrokerLockException("cannot take the broker lock " + path + ": " + e.getMessage(), e);
        }
    }

    /** The pid the holder wrote, read from the channel already open (not by path again). */
    private static String readOwner(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).trim();
    }

    /** The lock file; while the lock is held it contains this process's pid. */
    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                channel.truncate(0);
                lock.release();
            }
            channel.close();
        } catch (IOException ignored) {
            // The process is ending or the file is gone; the OS drops the lock either way.
        }
    }

    /** Another broker holds the lock of this home. */
    public static final class BrokerAlreadyRunningException extends PeersException {
        /** @param message what happened and how to fix it, for a person or a model */
        public BrokerAlreadyRunningException(String message) {
            super(ErrorCode.BROKER_RUNNING, message);
        }
    }

    /** The lock file could not be opened or written; the cause is kept. */
    public static final class BrokerLockException extends PeersException {
        /**
         * @param message which file and what failed
         * @param cause   the I/O exception
         */
        public BrokerLockException(String message, Throwable cause) {
            super(ErrorCode.BROKER_LOCK, message, cause);
        }
    }
}
