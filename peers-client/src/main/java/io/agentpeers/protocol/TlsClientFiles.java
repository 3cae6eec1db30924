package io.agentpeers.protocol;

import java.nio.file.Path;
import java.util.Map;

/**
 * The three PEM files a client presents and trusts over {@code tls://}: {@code PEERS_TLS_CERT} (its
 * certificate), {@code PEERS_TLS_KEY} (its private key) and {@code PEERS_TLS_CA} (the team authority's
 * certificate, the only one it trusts for the broker). Any may be null here; the connector says which is missing.
 */
public record TlsClientFiles(Path certificate, Path key, Path authority) {

    /** From the environment; null when none of the three is set. */
    public static TlsClientFiles from(Map<String, String> env) {
        Path certificate = path(env.get("PEERS_TLS_CERT"));
        Path key = path(env.get("PEERS_TLS_KEY"));
        Path authority = path(env.get("PEERS_TLS_CA"));
        return certificate == null && key == null && authority == null
                ? null
                : new TlsClientFiles(certificate, key, authority);
    }

    private static Path path(String value) {
        return value == null || value.isBlank() ? null : Path.of(value.strip());
    }
}
