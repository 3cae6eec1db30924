package io.agentpeers.transport.tcp.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/** PEM text: X.509 certificates and PKCS#8 private keys, read and written with the JDK alone. */
public final class Pem {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private Pem() {}

    /** A certificate as PEM text. */
    public static String certificate(X509Certificate certificate) {
        try {
            return block("CERTIFICATE", certificate.getEncoded());
        } catch (CertificateException e) {
            throw new IllegalStateException("cannot encode a certificate", e);
        }
    }

    /** A private key as unencrypted PKCS#8 PEM text (the file that holds it is 0600). */
    public static String privateKey(PrivateKey key) {
        return block("PRIVATE KEY", key.getEncoded());
    }

    /** The first certificate in a PEM file; {@code what} names the file in errors (e.g. PEERS_TLS_CERT). */
    public static X509Certificate readCertificate(Path file, String what) {
        byte[] bytes = readBytes(file, what);
        try {
            List<? extends java.security.cert.Certificate> all = List.copyOf(
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes)));
            if (all.isEmpty()) {
                throw new TlsSetupException(what + " " + file + " holds no certificate");
            }
            return (X509Certificate) all.get(0);
        } catch (CertificateException e) {
            throw new TlsSetupException(what + " " + file + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** A PKCS#8 PEM private key (EC or RSA). */
    public static PrivateKey readPrivateKey(Path file, String what) {
        String text = new String(readBytes(file, what), StandardCharsets.US_ASCII);
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            throw new TlsSetupException(what + " " + file + " is not a PKCS#8 PEM private key (" + KEY_BEGIN + ")");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new TlsSetupException(what + " " + file + " is not valid base64: " + e.getMessage(), e);
        }
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new TlsSetupException(what + " " + file + " holds neither an EC nor an RSA private key");
    }

    private static byte[] readBytes(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsSetupException(what + " names " + file + ", which does not exist", e);
        } catch (IOException e) {
            throw new TlsSetupException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
