package io.agentpeers.transport.tcp;

import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportException;
import io.agentpeers.transport.tcp.tls.TlsContexts;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Connects to a broker's TLS listener: TLS 1.3, this client's certificate, and the broker's certificate
 * checked against the team's authority and the host name (its SANs). The token still goes in {@code hello}.
 *
 * <p>In TLS 1.3 the broker judges the client's certificate after the client's side of the handshake is
 * done, so a refusal arrives as an alert on the first read: the input stream says so in plain words.
 */
public final class TlsConnector implements TransportConnector {
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final TcpAddress address;
    private final SSLContext context;

    /** A connector to {@code address} presenting what {@code context} holds ({@link TlsContexts}). */
    public TlsConnector(TcpAddress address, SSLContext context) {
        this.address = Objects.requireNonNull(address, "address");
        this.context = Objects.requireNonNull(context, "context");
    }

    @Override
    public String transport() {
        return TcpListener.TLS_TRANSPORT;
    }

    @Override
    public String address() {
        return address.toString();
    }

    @Override
    public ClientConnection connect() {
        Socket plain = TcpConnector.connectedSocket(address, "TLS", "--tls");
        SSLSocket socket = null;
        try {
            socket = (SSLSocket) context.getSocketFactory().createSocket(plain, address.host(), address.port(), true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {TlsContexts.PROTOCOL});
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the broker's certificate names this host
            socket.setSSLParameters(parameters);
            socket.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
            socket.startHandshake();
            socket.setSoTimeout(0);
            return new ClientConnection(
                    new Refusals(socket.getInputStream(), address), socket.getOutputStream(), socket, "tls:" + address);
        } catch (IOException e) {
            TcpConnector.closeQuietly(socket != null ? socket : plain, e);
            throw new TransportException(
                    "TLS handshake with " + address + " failed: " + e.getMessage()
                            + " (is it a peers broker started with --tls, and PEERS_TLS_CA the team's ca.crt?)",
                    e);
        }
    }

    /** The broker's input, with a TLS alert (its refusal of this certificate) said as such. */
    private static final class Refusals extends FilterInputStream {
        private final TcpAddress address;

        Refusals(InputStream in, TcpAddress address) {
            super(in);
            this.address = address;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (SSLException e) {
                throw refused(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (SSLException e) {
                throw refused(e);
            }
        }

        private IOException refused(SSLException e) {
            return new SSLException(
                    "the broker at " + address + " refused this TLS connection (" + e.getMessage()
                            + "): PEERS_TLS_CERT must be a certificate of the broker's team authority (peers tls issue),"
                            + " not expired",
                    e);
        }
    }

    @Override
    public String toString() {
        return "tls:" + address;
    }
}
