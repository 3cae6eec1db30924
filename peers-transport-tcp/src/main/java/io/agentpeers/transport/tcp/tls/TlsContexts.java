package io.agentpeers.transport.tcp.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * SSL contexts that trust exactly one authority (the team's CA, not the JDK's public roots) and present one
 * certificate: the broker's to clients, a client's to the broker. TLS 1.3 only: every JDK 17 speaks it.
 */
public final class TlsContexts {
    public static final String PROTOCOL = "TLSv1.3";
    private static final char[] IN_MEMORY = "in-memory".toCharArray(); // the key store never leaves the JVM

    private TlsContexts() {}

    /** A context from PEM files, as PEERS_TLS_CERT, PEERS_TLS_KEY and PEERS_TLS_CA name them. */
    public static SSLContext fromFiles(Path certificate, Path key, Path authority) {
        return of(
                Pem.readCertificate(certificate, "PEERS_TLS_CERT"),
                Pem.readPrivateKey(key, "PEERS_TLS_KEY"),
                Pem.readCertificate(authority, "PEERS_TLS_CA"));
    }

    /** A context presenting {@code certificate} (with its {@code key}) and trusting only {@code authority}. */
    public static SSLContext of(X509Certificate certificate, PrivateKey key, X509Certificate authority) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            // The leaf alone: both sides hold the authority, and a chain the key store checks would refuse a
            // certificate of another authority here instead of letting the handshake refuse it with an alert.
            keys.setKeyEntry("self", key, IN_MEMORY, new X509Certificate[] {certificate});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, IN_MEMORY);

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("team-ca", authority);
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
            trustManagers.init(trusted);

            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TlsSetupException("cannot set up TLS with this certificate and key: " + e.getMessage(), e);
        }
    }
}
