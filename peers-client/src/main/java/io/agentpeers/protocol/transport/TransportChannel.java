package io.agentpeers.protocol.transport;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/**
 * One accepted connection as the server sees it: a readable and a writable selectable byte channel
 * (the same socket channel for sockets, two pipe ends in VM), a way to end the output, and who is calling.
 *
 * <p>The server makes both sides non-blocking and registers them with a selector of
 * {@link #provider()}; one thread reads while others may write. Not for client programs: they get a
 * {@link ClientConnection}.
 */
public final class TransportChannel implements Closeable {
    private final SelectableChannel readSide;
    private final ReadableByteChannel reader;
    private final SelectableChannel writeSide;
    private final WritableByteChannel writer;
    private final IoAction shutdownOutput;
    private final Identification identification;
    private final String description;
    private final Secured secured;

    /** Tells who is on the other end; may read the kernel's peer credentials, so runs once, quickly. */
    @FunctionalInterface
    public interface Identification {
        /**
         * @throws ConnectionRefusedException to refuse the connection; its message is sent to the caller
         */
        ConnectionIdentity identify() throws IOException;
    }

    /**
     * What a channel that decrypts (TLS) adds: input it already holds (read from the socket but not yet
     * handed on, which no selector would report), and who is calling once the handshake has finished.
     */
    public interface Secured {
        /** Whether a read would return bytes without the socket becoming readable again. */
        boolean hasBufferedInput();

        /** Who is calling, once the first decrypted bytes were read (the handshake is done by then). */
        ConnectionIdentity identifyAfterHandshake();
    }

    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException;
    }

    private TransportChannel(
            SelectableChannel readSide,
            ReadableByteChannel reader,
            SelectableChannel writeSide,
            WritableByteChannel writer,
            IoAction shutdownOutput,
            Identification identification,
            String description,
            Secured secured) {
        this.secured = secured;
        this.readSide = readSide;
        this.reader = reader;
        this.writeSide = writeSide;
        this.writer = writer;
        this.shutdownOutput = shutdownOutput;
        this.identification = Objects.requireNonNull(identification, "identification");
        this.description = Objects.requireNonNull(description, "description");
        if (readSide.provider() != writeSide.provider()) {
            throw new IllegalArgumentException("both sides of a connection must come from one selector provider");
        }
    }

    /** A socket channel (TCP, or junixsocket's Unix socket channel): one channel both ways. */
    public static TransportChannel ofSocket(SocketChannel socket, Identification identification, String description) {
        Objects.requireNonNull(socket, "socket");
        return new TransportChannel(
                socket, socket, socket, socket, socket::shutdownOutput, identification, description, null);
    }

    /**
     * A socket channel whose bytes pass through {@code secured} (TLS): the selector watches {@code socket},
     * reads and writes go through {@code bytes}, and {@code shutdownOutput} ends the secured stream.
     */
    public static <C extends ByteChannel & Secured> TransportChannel ofSecured(
            SocketChannel socket, C bytes, IoAction shutdownOutput, Identification identification, String description) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(bytes, "bytes");
        return new TransportChannel(socket, bytes, socket, bytes, shutdownOutput, identification, description, bytes);
    }

    /**
     * Two one-way channels, such as the ends of two {@link java.nio.channels.Pipe}s: ending the output
     * closes {@code sink}, which the other end reads as the end of the stream.
     */
    public static <R extends SelectableChannel & ReadableByteChannel, W extends SelectableChannel & WritableByteChannel>
            TransportChannel ofPair(R source, W sink, Identification identification, String description) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(sink, "sink");
        return new TransportChannel(source, source, sink, sink, sink::close, identification, description, null);
    }

    /** The side the server reads from; the same object as {@link #writeSide()} when {@link #duplex()}. */
    public SelectableChannel readSide() {
        return readSide;
    }

    /** The side the server writes to. */
    public SelectableChannel writeSide() {
        return writeSide;
    }

    /** Whether one channel carries both directions (one selection key serves both). */
    public boolean duplex() {
        return readSide == writeSide;
    }

    /** The provider whose selectors these channels register with. */
    public SelectorProvider provider() {
        return readSide.provider();
    }

    /** Makes both sides non-blocking, as a selector needs; the server calls it before it registers them. */
    public void configureNonBlocking() throws IOException {
        readSide.configureBlocking(false);
        if (!duplex()) {
            writeSide.configureBlocking(false);
        }
    }

    /**
     * Reads from the read side into {@code buffer}, as {@link ReadableByteChannel#read} does.
     *
     * @return the bytes read: 0 when none are ready (non-blocking), -1 at the end of the stream
     */
    public int read(ByteBuffer buffer) throws IOException {
        return reader.read(buffer);
    }

    /**
     * Writes from {@code buffer} to the write side, as {@link WritableByteChannel#write} does.
     *
     * @return the bytes written: perhaps fewer than remain, 0 when the send buffer is full (non-blocking)
     */
    public int write(ByteBuffer buffer) throws IOException {
        return writer.write(buffer);
    }

    /** Ends this side's output; the caller reads the end of the stream once it has read what was sent. */
    public void shutdownOutput() throws IOException {
        shutdownOutput.run();
    }

    /** Who is calling. Called once by the server, on its selector thread, before any line is read. */
    public ConnectionIdentity identify() throws IOException {
        return identification.identify();
    }

    /** Whether the channel holds input that a read returns without the selector reporting it (TLS). */
    public boolean hasBufferedInput() {
        return secured != null && secured.hasBufferedInput();
    }

    /**
     * Who is calling once the first input was read: for TLS the certificate's name, known only after the
     * handshake; {@code admitted} (what {@link #identify()} said) for the others.
     */
    public ConnectionIdentity identifyAfterHandshake(ConnectionIdentity admitted) {
        return secured == null ? admitted : secured.identifyAfterHandshake();
    }

    /** Closes both sides. */
    @Override
    public void close() throws IOException {
        try {
            readSide.close();
        } finally {
            if (!duplex()) {
                writeSide.close();
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
