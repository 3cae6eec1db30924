package io.agentpeers.cli;

import io.agentpeers.cli.DoctorCommand.Check;
import io.agentpeers.cli.DoctorCommand.Verdict;
import io.agentpeers.core.PeersException;
import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.TlsClientFiles;
import io.agentpeers.transport.tcp.tls.Pem;
import io.agentpeers.transport.tcp.tls.TeamAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code peers doctor}'s TLS checks: the team's authority on a broker's machine, the three files of a tls:// client. */
final class TlsDoctor {
    private static final Duration SOON = Duration.ofDays(30);

    private TlsDoctor() {}

    static List<Check> checks(PeersPaths paths) {
        List<Check> checks = new ArrayList<>();
        Path folder = TeamAuthority.folder(paths.home());
        if (Files.exists(folder.resolve(TeamAuthority.KEY_FILE), LinkOption.NOFOLLOW_LINKS)) {
            checks.add(authority(folder));
        } else if (paths.tls() != null) {
            checks.add(new Check("tls ca", Verdict.FAIL, "no certificate authority in " + folder, "`peers tls init`"));
        }
        if (paths.tlsUrl()) {
            checks.add(client(paths.tlsClient()));
        }
        return checks;
    }

    private static Check authority(Path folder) {
        String name = "tls ca";
        Path key = folder.resolve(TeamAuthority.KEY_FILE);
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(key, LinkOption.NOFOLLOW_LINKS);
            if (openToOthers(mode)) {
                return new Check(
                        name,
                        Verdict.FAIL,
                        key + " has mode " + PosixFilePermissions.toString(mode),
                        "chmod 600 " + key);
            }
            X509Certificate ca = TeamAuthority.load(folder).certificate();
            return validity(name, ca, "the team's authority in " + folder, "`peers tls init --force`, then re-issue");
        } catch (IOException | PeersException e) {
            return new Check(name, Verdict.FAIL, e.getMessage(), "`peers tls init --force` makes a new one");
        }
    }

    private static Check client(TlsClientFiles files) {
        String name = "tls client";
        if (files == null || files.certificate() == null || files.key() == null || files.authority() == null) {
            return new Check(
                    name,
                    Verdict.FAIL,
                    "PEERS_TCP_URL is tls:// but PEERS_TLS_CERT, PEERS_TLS_KEY and PEERS_TLS_CA are not all set",
                    "set them to the files of `peers tls issue NAME`");
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(files.key(), LinkOption.NOFOLLOW_LINKS);
            if (openToOthers(mode)) {
                return new Check(
                        name,
                        Verdict.FAIL,
                        files.key() + " has mode " + PosixFilePermissions.toString(mode),
                        "chmod 600 " + files.key());
            }
            Pem.readPrivateKey(files.key(), "PEERS_TLS_KEY");
            X509Certificate certificate = Pem.readCertificate(files.certificate(), "PEERS_TLS_CERT");
            X509Certificate ca = Pem.readCertificate(files.authority(), "PEERS_TLS_CA");
            try {
                certificate.verify(ca.getPublicKey());
            } catch (GeneralSecurityException e) {
                return new Check(
                        name,
                        Verdict.FAIL,
                        files.certificate() + " is not signed by " + files.authority(),
                        "use the bundle of one `peers tls issue NAME`");
            }
            return validity(name, certificate, files.certificate().toString(), "`peers tls issue NAME --force`");
        } catch (IOException | PeersException e) {
            return new Check(name, Verdict.FAIL, e.getMessage(), "set them to the files of `peers tls issue NAME`");
        }
    }

    private static Check validity(String name, X509Certificate certificate, String what, String fix) {
        Instant until = certificate.getNotAfter().toInstant();
        Instant now = Instant.now();
        if (until.isBefore(now) || certificate.getNotBefore().toInstant().isAfter(now)) {
            return new Check(name, Verdict.FAIL, what + " is not valid now (until " + until + ")", fix);
        }
        if (until.isBefore(now.plus(SOON))) {
            return new Check(name, Verdict.WARN, what + " expires " + until, fix);
        }
        return new Check(name, Verdict.OK, what + " (valid until " + until + ")", null);
    }

    private static boolean openToOthers(Set<PosixFilePermission> mode) {
        return mode.stream()
                .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"));
    }
}
