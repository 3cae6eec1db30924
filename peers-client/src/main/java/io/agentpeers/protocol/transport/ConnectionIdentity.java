package io.agentpeers.protocol.transport;

import io.agentpeers.core.Credentials;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is on the other end of a connection, as far as the transport can tell.
 *
 * @param transport     the transport's name: {@code "unix"}, {@code "tcp"}, {@code "in-vm"}
 * @param credentials   pid, uid and gid when the operating system supplied them; empty means unverified
 * @param tokenRequired whether the caller must present the broker's token in {@code hello} (TCP; not in VM)
 * @param remote        a short description of the remote end, for logs only
 * @param certificate   the subject common name of the client certificate a TLS handshake verified against
 *                      the team's authority, or null: a name the team's CA vouches for, never a local uid
 */
public record ConnectionIdentity(
        String transport, Optional<Credentials> credentials, boolean tokenRequired, String remote, String certificate) {

    public ConnectionIdentity {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(remote, "remote");
    }

    /** An identity without a certificate. */
    public ConnectionIdentity(
            String transport, Optional<Credentials> credentials, boolean tokenRequired, String remote) {
        this(transport, credentials, tokenRequired, remote, null);
    }

    /**
     * A caller whose client certificate the team's authority signed (TLS): known by the certificate's name,
     * still unverified as a process (no pid, no uid: it may be on another machine) and still presenting the token.
     */
    public static ConnectionIdentity certified(String transport, String certificate, String remote) {
        Objects.requireNonNull(certificate, "certificate");
        return new ConnectionIdentity(transport, Optional.empty(), true, remote, certificate);
    }

    /** A caller the operating system vouched for; no token needed. */
    public static ConnectionIdentity verified(String transport, Credentials credentials) {
        return new ConnectionIdentity(
                transport, Optional.of(credentials), false, "pid " + credentials.pid() + " uid " + credentials.uid());
    }

    /** A caller nobody vouched for (TCP): it must present the token and is never trusted with a process. */
    public static ConnectionIdentity unverified(String transport, String remote) {
        return new ConnectionIdentity(transport, Optional.empty(), true, remote);
    }

    /**
     * A caller in this very JVM (the in-VM transport): the program that embeds the broker already holds
     * it, so no token; but unverified, with no process to watch or signal (it is the broker's own).
     */
    public static ConnectionIdentity sameProcess(String transport) {
        return new ConnectionIdentity(transport, Optional.empty(), false, "this JVM");
    }

    /** Whether the operating system vouched for the caller: exactly when {@link #credentials()} are present. */
    public boolean verified() {
        return credentials.isPresent();
    }
}
