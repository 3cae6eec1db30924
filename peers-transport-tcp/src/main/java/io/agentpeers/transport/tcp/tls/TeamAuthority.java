package io.agentpeers.transport.tcp.tls;

import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.protocol.PrivateFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The team's private certificate authority: an EC P-256 key and a self-signed CA certificate in
 * {@code PEERS_HOME/tls} ({@code ca.key} 0600, {@code ca.crt}; the folder 0700). It signs the client
 * certificates of agents on other machines ({@code peers tls issue NAME}) and, at each start, the broker's own
 * server certificate (kept in memory only). Certificates are built with BouncyCastle's bcpkix (the JDK has no
 * public API for it; docs/decisions.md says why not keytool); keys and TLS are the JDK's own.
 */
public final class TeamAuthority {
    public static final String CERT_FILE = "ca.crt";
    public static final String KEY_FILE = "ca.key";
    /** A name that is both a certificate CN and a file name: no separators, no spaces, nothing to escape. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVER_VALIDITY = Duration.ofDays(400);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    /** A certificate and its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {}

    private TeamAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** The folder a home keeps its authority in. */
    public static Path folder(Path peersHome) {
        return peersHome.resolve("tls");
    }

    /**
     * Creates a new authority named after {@code team} in {@code folder}.
     *
     * @param force replace an authority already there (every certificate it issued stops being trusted)
     * @throws InvalidArgumentException when one is there and {@code force} is false
     */
    public static TeamAuthority create(Path folder, String team, boolean force) {
        requireName(team, "the team name");
        Path dir = privateFolder(folder);
        try {
            return TlsFiles.locked(dir, () -> {
                if (!force
                        && (Files.exists(dir.resolve(KEY_FILE), LinkOption.NOFOLLOW_LINKS)
                                || Files.exists(dir.resolve(CERT_FILE), LinkOption.NOFOLLOW_LINKS))) {
                    throw new InvalidArgumentException("a certificate authority is already in " + dir
                            + ": keep it (its client certificates stay valid), or pass --force to replace it");
                }
                TeamAuthority authority = newAuthority(team);
                // The key first: a certificate without its key is never left behind as an authority.
                TlsFiles.write(dir.resolve(KEY_FILE), Pem.privateKey(authority.key), true);
                TlsFiles.write(dir.resolve(CERT_FILE), Pem.certificate(authority.certificate), false);
                return authority;
            });
        } catch (IOException e) {
            throw new TlsSetupException("cannot create the certificate authority in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static TeamAuthority newAuthority(String team) {
        KeyPair pair = newKeyPair();
        Instant now = Instant.now();
        X500Name subject = name(team + " peers CA", team);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            subject,
                            serial(),
                            Date.from(now.minus(Duration.ofMinutes(5))),
                            Date.from(now.plus(CA_VALIDITY)),
                            subject,
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            extensions.createSubjectKeyIdentifier(pair.getPublic()));
            return new TeamAuthority(sign(builder, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new TlsSetupException("cannot create a certificate authority: " + e.getMessage(), e);
        }
    }

    /**
     * The authority in {@code folder}.
     *
     * @throws TlsSetupException when there is none: then {@code peers tls init} makes one
     */
    public static TeamAuthority load(Path folder) {
        Path dir = folder.toAbsolutePath();
        if (!Files.exists(dir.resolve(KEY_FILE), LinkOption.NOFOLLOW_LINKS)) {
            throw new TlsSetupException("no certificate authority in " + dir + ": run `peers tls init` first");
        }
        try {
            PrivateFiles.checkFolder(dir, "PEERS_HOME");
            PrivateFiles.open(dir.resolve(KEY_FILE), java.nio.file.StandardOpenOption.READ)
                    .close();
        } catch (IOException e) {
            throw new TlsSetupException("cannot read the certificate authority in " + dir + ": " + e.getMessage(), e);
        }
        return new TeamAuthority(
                Pem.readCertificate(dir.resolve(CERT_FILE), "the CA certificate"),
                Pem.readPrivateKey(dir.resolve(KEY_FILE), "the CA key"));
    }

    /** The CA certificate, which both sides trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** A client certificate for {@code name} (its CN), valid from now for {@code validity}. */
    public Issued issueClient(String name, Duration validity) {
        Instant now = Instant.now();
        return issue(name, List.of(), false, now.minus(Duration.ofMinutes(5)), now.plus(validity));
    }

    /**
     * The broker's server certificate for {@code host} (a name or an address, as {@code --tls} gives it); a
     * wildcard address also gets this machine's name and the loopback names.
     */
    public Issued issueServer(String host) {
        Instant now = Instant.now();
        return issue(
                "peers-broker", serverNames(host), true, now.minus(Duration.ofMinutes(5)), now.plus(SERVER_VALIDITY));
    }

    /**
     * A certificate signed by this authority, valid from {@code notBefore} to {@code notAfter} (tests issue
     * expired ones).
     *
     * @param hosts the DNS names and IP addresses a server certificate is for (SANs); empty for a client
     */
    public Issued issue(String name, List<String> hosts, boolean server, Instant notBefore, Instant notAfter) {
        requireName(name, "a certificate name");
        KeyPair pair = newKeyPair();
        String team = certificate.getSubjectX500Principal().getName();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            certificate,
                            serial(),
                            Date.from(notBefore),
                            Date.from(notAfter),
                            name(name, organisation(team)),
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(
                            Extension.extendedKeyUsage,
                            false,
                            new ExtendedKeyUsage(
                                    server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            extensions.createAuthorityKeyIdentifier(certificate));
            if (!hosts.isEmpty()) {
                List<GeneralName> names = new ArrayList<>();
                for (String host : hosts) {
                    names.add(new GeneralName(isAddress(host) ? GeneralName.iPAddress : GeneralName.dNSName, host));
                }
                builder.addExtension(
                        Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            return new Issued(sign(builder, key), pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new TlsSetupException("cannot issue a certificate for " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a client bundle for {@code name} into {@code folder} (0700): {@code NAME.crt}, {@code NAME.key}
     * (0600) and {@code ca.crt}: the three files PEERS_TLS_CERT, PEERS_TLS_KEY and PEERS_TLS_CA name.
     *
     * @throws InvalidArgumentException when a bundle is there and {@code force} is false
     */
    public List<Path> writeBundle(Issued issued, String name, Path folder, boolean force) {
        Path dir = privateFolder(folder);
        Path cert = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Path ca = dir.resolve(CERT_FILE);
        try {
            return TlsFiles.locked(dir, () -> {
                if (!force
                        && (Files.exists(cert, LinkOption.NOFOLLOW_LINKS)
                                || Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS))) {
                    throw new InvalidArgumentException("a certificate for " + name + " is already in " + dir
                            + ": pass --force to issue a new one");
                }
                TlsFiles.write(keyFile, Pem.privateKey(issued.key()), true);
                TlsFiles.write(cert, Pem.certificate(issued.certificate()), false);
                TlsFiles.write(ca, Pem.certificate(certificate), false);
                return List.of(cert, keyFile, ca);
            });
        } catch (IOException e) {
            throw new TlsSetupException("cannot write the bundle in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Throws unless {@code name} is 1 to 64 letters, digits, dots, dashes or underscores. */
    public static String requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidArgumentException(what + " must be 1 to 64 letters, digits, '.', '-' or '_' (starting"
                    + " with a letter or digit), not \"" + (name == null ? "" : name.replaceAll("\\p{Cntrl}", "?"))
                    + "\"");
        }
        return name;
    }

    static List<String> serverNames(String host) {
        Set<String> names = new LinkedHashSet<>();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean wildcard = bare.equals("0.0.0.0") || bare.equals("::") || bare.equals("0:0:0:0:0:0:0:0");
        if (!wildcard) {
            names.add(bare);
        } else {
            try {
                names.add(InetAddress.getLocalHost().getHostName());
            } catch (IOException e) {
                // no name for this machine: the loopback names below still serve local clients
            }
        }
        names.add("localhost");
        names.add("127.0.0.1");
        names.add("::1");
        return List.copyOf(names);
    }

    private static boolean isAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static Path privateFolder(Path folder) {
        try {
            return PrivateFiles.requireFolder(folder, "PEERS_HOME");
        } catch (IOException e) {
            throw new TlsSetupException("cannot use " + folder + ": " + e.getMessage(), e);
        }
    }

    private static X500Name name(String commonName, String organisation) {
        X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName);
        if (organisation != null) {
            builder.addRDN(BCStyle.O, organisation);
        }
        return builder.build();
    }

    private static String organisation(String distinguishedName) {
        for (String part : distinguishedName.split(",")) {
            if (part.startsWith("O=")) {
                return part.substring(2);
            }
        }
        return null;
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
        }
    }

    @Override
    public String toString() {
        return "TeamAuthority[" + Objects.toString(certificate.getSubjectX500Principal()) + "]";
    }
}
