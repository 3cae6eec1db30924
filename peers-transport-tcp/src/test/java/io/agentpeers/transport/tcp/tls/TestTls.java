package io.agentpeers.transport.tcp.tls;

import io.agentpeers.transport.tcp.TcpAddress;
import io.agentpeers.transport.tcp.TcpListener;
import io.agentpeers.transport.tcp.TlsConnector;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** A team authority in a test's folder, and the listeners and connectors it vouches for (loopback only). */
public final class TestTls {
    public final TeamAuthority authority;

    public TestTls(Path folder) {
        this.authority = TeamAuthority.create(folder.resolve("tls"), "test-team", false);
    }

    /** The broker's context, as {@code broker run --tls 127.0.0.1:…} makes it. */
    public SSLContext server() {
        TeamAuthority.Issued issued = authority.issueServer("127.0.0.1");
        return TlsContexts.of(issued.certificate(), issued.key(), authority.certificate());
    }

    /** A client context with a fresh certificate named {@code name}. */
    public SSLContext client(String name) {
        TeamAuthority.Issued issued = authority.issueClient(name, Duration.ofDays(1));
        return TlsContexts.of(issued.certificate(), issued.key(), authority.certificate());
    }

    public TcpListener listener() {
        return TcpListener.tls(TcpAddress.loopback(0), server());
    }

    public TlsConnector connector(TcpListener listener, String name) {
        return new TlsConnector(listener.boundAddress(), client(name));
    }
}
