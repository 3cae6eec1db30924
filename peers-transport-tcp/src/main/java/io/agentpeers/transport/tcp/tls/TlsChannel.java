package io.agentpeers.transport.tcp.tls;

import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.transport.ConnectionRefusedException;
import io.agentpeers.protocol.transport.TransportChannel;
import io.agentpeers.protocol.wire.JsonRpcError;
import io.agentpeers.protocol.wire.JsonRpcResponse;
import io.agentpeers.protocol.wire.Lines;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The broker's side of one TLS connection: an {@link SSLEngine} over a non-blocking socket channel, read
 * by the selector thread and written by any thread, as the plain socket channel is. The handshake runs
 * inside {@link #read} (the client speaks first), its delegated tasks (certificate checks) on the
 * selector thread: a few milliseconds per connection. Until it finishes no byte reaches the broker, so
 * the hello timeout bounds a handshake that never completes, and a slow-loris one too.
 *
 * <p>Writes hand over only bytes whose records went out whole: when the socket takes part of a record,
 * the last byte of the caller's buffer is kept back (reported unwritten), so the connection queues it and
 * waits for the socket to be writable; the next write sends the rest of the record and then counts that
 * byte as written. A plaintext client (its first byte is not a TLS record) gets one JSON-RPC error line.
 */
public final class TlsChannel implements ByteChannel, TransportChannel.Secured {
    private static final byte HANDSHAKE_RECORD = 0x16;

    private final SocketChannel socket;
    private final SSLEngine engine;
    private final String transport;
    private final String remote;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();

    private ByteBuffer netIn; // write mode: bytes read from the socket, not yet unwrapped
    private ByteBuffer appIn; // write mode: decrypted bytes not yet handed on
    private final ByteBuffer netOut; // read mode: encrypted bytes not yet written to the socket
    private boolean underflow = true; // netIn holds no complete record
    private boolean firstByteSeen;
    private volatile boolean handshakeDone;
    private int heldBack; // bytes of the caller's stream already encrypted but reported unwritten

    public TlsChannel(SocketChannel socket, SSLEngine engine, String transport, String remote) {
        this.socket = socket;
        this.engine = engine;
        this.transport = transport;
        this.remote = remote;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        this.netOut = ByteBuffer.allocate(packet).flip();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        synchronized (readLock) {
            while (true) {
                if (appIn.position() > 0) {
                    return handOn(dst);
                }
                if (!underflow && netIn.position() > 0) {
                    if (unwrap()) {
                        return -1;
                    }
                    continue;
                }
                int n = socket.read(netIn);
                if (n < 0) {
                    return -1; // a peer that closes without close_notify: the end of the stream all the same
                }
                if (n == 0) {
                    return 0;
                }
                if (!firstByteSeen) {
                    firstByteSeen = true;
                    if (netIn.get(0) != HANDSHAKE_RECORD) {
                        refusePlaintext();
                    }
                }
                underflow = false;
            }
        }
    }

    /** Unwraps what {@link #netIn} holds; true at the caller's close_notify. */
    private boolean unwrap() throws IOException {
        netIn.flip();
        SSLEngineResult result;
        try {
            result = engine.unwrap(netIn, appIn);
        } catch (SSLException e) {
            netIn.compact();
            throw failed(e);
        }
        netIn.compact();
        switch (result.getStatus()) {
            case BUFFER_UNDERFLOW -> {
                underflow = true;
                if (netIn.remaining() == 0) {
                    netIn = enlarge(netIn, engine.getSession().getPacketBufferSize());
                }
            }
            case BUFFER_OVERFLOW -> appIn = enlarge(appIn, engine.getSession().getApplicationBufferSize());
            case CLOSED -> {
                return appIn.position() == 0;
            }
            case OK -> {}
        }
        handshake(result.getHandshakeStatus());
        return false;
    }

    /** Runs what the handshake asks for after an unwrap or a wrap, until it waits for the caller. */
    private void handshake(HandshakeStatus status) throws IOException {
        HandshakeStatus next = status;
        while (true) {
            switch (next) {
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    next = engine.getHandshakeStatus();
                }
                case NEED_WRAP -> next = wrapHandshake();
                case FINISHED -> {
                    handshakeDone = true;
                    return;
                }
                default -> {
                    if (next == HandshakeStatus.NOT_HANDSHAKING
                            && !handshakeDone
                            && engine.getSession().isValid()) {
                        handshakeDone = peerName() != null;
                    }
                    return;
                }
            }
        }
    }

    private HandshakeStatus wrapHandshake() throws IOException {
        synchronized (writeLock) {
            netOut.compact();
            SSLEngineResult result;
            try {
                result = engine.wrap(ByteBuffer.allocate(0), netOut);
            } catch (SSLException e) {
                netOut.flip();
                throw failed(e);
            }
            netOut.flip();
            flush();
            if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                // An alert went out (a refused certificate): the engine is done.
                throw new IOException("TLS closed during the handshake");
            }
            return result.getHandshakeStatus();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        synchronized (writeLock) {
            if (!handshakeDone) {
                // Nothing can reach a caller before its handshake: the broker's early error (the hello
                // timeout) closes the connection instead.
                throw new IOException("the TLS handshake has not finished");
            }
            if (!flush()) {
                return 0;
            }
            int consumed = 0;
            if (heldBack > 0) {
                int skip = Math.min(heldBack, src.remaining());
                src.position(src.position() + skip);
                heldBack -= skip;
                consumed += skip;
            }
            while (src.hasRemaining()) {
                netOut.compact();
                SSLEngineResult result = engine.wrap(src, netOut);
                netOut.flip();
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new IOException("the TLS connection is closed");
                }
                consumed += result.bytesConsumed();
                if (!flush()) {
                    if (!src.hasRemaining() && consumed > 0) {
                        src.position(src.position() - 1);
                        heldBack = 1;
                        consumed--;
                    }
                    return consumed;
                }
                if (result.bytesConsumed() == 0) {
                    return consumed; // never spins: a wrap that took nothing is retried when written to again
                }
            }
            return consumed;
        }
    }

    /** Writes pending records; true when none is left. */
    private boolean flush() throws IOException {
        while (netOut.hasRemaining()) {
            if (socket.write(netOut) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Sends close_notify (best effort) and ends the socket's output. */
    public void shutdownOutput() throws IOException {
        synchronized (writeLock) {
            engine.closeOutbound();
            try {
                netOut.compact();
                engine.wrap(ByteBuffer.allocate(0), netOut);
            } catch (SSLException e) {
                // the engine failed before: only the socket's end of output is left to send
            } finally {
                netOut.flip();
            }
            flush();
            socket.shutdownOutput();
        }
    }

    @Override
    public boolean hasBufferedInput() {
        synchronized (readLock) {
            return appIn.position() > 0 || (!underflow && netIn.position() > 0);
        }
    }

    @Override
    public ConnectionIdentity identifyAfterHandshake() {
        String name = peerName();
        return name == null
                ? ConnectionIdentity.unverified(transport, remote)
                : ConnectionIdentity.certified(transport, name, remote);
    }

    /** The CN of the client certificate the handshake verified, or null before it. */
    private String peerName() {
        try {
            Certificate[] chain = engine.getSession().getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return null;
            }
            return commonName(leaf);
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The subject's CN, or the whole subject when it has none. */
    static String commonName(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName();
        try {
            for (Rdn rdn : new LdapName(subject).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            // fall through to the whole subject
        }
        return subject;
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private int handOn(ByteBuffer dst) {
        appIn.flip();
        int n = Math.min(appIn.remaining(), dst.remaining());
        ByteBuffer part = appIn.slice().limit(n);
        dst.put(part);
        appIn.position(appIn.position() + n);
        appIn.compact();
        return n;
    }

    /** The engine failed (a refused certificate, a bad record): its alert goes out first, best effort. */
    private IOException failed(SSLException cause) {
        try {
            synchronized (writeLock) {
                engine.closeOutbound();
                netOut.compact();
                try {
                    engine.wrap(ByteBuffer.allocate(0), netOut);
                } finally {
                    netOut.flip();
                }
                flush();
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
        return new IOException("TLS: " + cause.getMessage(), cause);
    }

    /** A caller that speaks plain JSON-RPC to the TLS port hears why in a line it can read. */
    private void refusePlaintext() throws IOException {
        String line = JsonRpcResponse.failure(
                        null,
                        JsonRpcError.of(new ConnectionRefusedException(
                                "this broker port speaks TLS: connect with PEERS_TCP_URL=tls://HOST:PORT and"
                                        + " PEERS_TLS_CERT, PEERS_TLS_KEY, PEERS_TLS_CA")))
                .toLine();
        ByteBuffer bytes = ByteBuffer.wrap(Lines.encode(line));
        for (int i = 0; i < 100 && bytes.hasRemaining(); i++) {
            if (socket.write(bytes) == 0) {
                break; // a fresh socket takes a line at once; a caller that does not read gets nothing
            }
        }
        throw new IOException("a plaintext client on the TLS port");
    }

    private static ByteBuffer enlarge(ByteBuffer buffer, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(atLeast, buffer.capacity() * 2));
        buffer.flip();
        bigger.put(buffer);
        return bigger;
    }
}
