package io.agentpeers.cli;

import io.agentpeers.cli.DoctorCommand.Check;
import io.agentpeers.cli.DoctorCommand.Verdict;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code peers doctor}'s checks of a PostgreSQL {@code PEERS_DB}, from this shell's point of view and without
 * a driver (the CLI is a client of the broker, never of a store): the server accepts TCP connections, and
 * where the password comes from (PGPASSWORD, or a password file that libpq and the driver would use).
 * The broker's own answer (the "database" check) says whether it actually logged in.
 */
final class PostgresDoctor {
    static final int DEFAULT_PORT = 5432;
    private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

    private PostgresDoctor() {}

    /** The checks for {@code url}; none when the broker's store is a SQLite file ({@code url} null). */
    static List<Check> checks(String url, Map<String, String> env, Path userHome) {
        List<Check> checks = new ArrayList<>();
        if (url == null) {
            return checks;
        }
        Target target;
        try {
            target = Target.parse(url);
        } catch (IllegalArgumentException e) {
            checks.add(new Check(
                    "postgres",
                    Verdict.FAIL,
                    "PEERS_DB is not a URL I can read: " + e.getMessage(),
                    "PEERS_DB=postgresql://USER@HOST:PORT/DATABASE"));
            return checks;
        }
        checks.add(reach(target));
        checks.add(password(target, env, userHome));
        return checks;
    }

    private static Check reach(Target target) {
        String where = target.host() + ":" + target.port();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), CONNECT_TIMEOUT_MILLIS);
            return new Check(
                    "postgres",
                    Verdict.OK,
                    where + " accepts connections (database " + target.database() + ", user " + target.user() + ")",
                    null);
        } catch (IOException e) {
            return new Check(
                    "postgres",
                    Verdict.FAIL,
                    "cannot reach " + where + ": " + e.getMessage(),
                    "start PostgreSQL there (and let it listen on that address), or correct PEERS_DB");
        }
    }

    private static Check password(Target target, Map<String, String> env, Path userHome) {
        String name = "postgres password";
        String fromEnv = env.get("PGPASSWORD");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return new Check(name, Verdict.OK, "from PGPASSWORD (in this shell; the broker needs it in its own)", null);
        }
        String passFile = env.get("PGPASSFILE");
        Path file = passFile != null && !passFile.isBlank() ? Path.of(passFile) : userHome.resolve(".pgpass");
        if (!Files.isRegularFile(file)) {
            return new Check(
                    name,
                    Verdict.INFO,
                    "none: neither PGPASSWORD nor " + file + "; the server must let " + target.user()
                            + " in without one",
                    "put the password in " + file + " (HOST:PORT:DATABASE:USER:PASSWORD, mode 600)");
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (mode.stream()
                    .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                return new Check(
                        name,
                        Verdict.WARN,
                        file + " has mode " + PosixFilePermissions.toString(mode) + ": others can read the password",
                        "chmod 600 " + file);
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (target.matches(line)) {
                    return new Check(name, Verdict.OK, "from " + file, null);
                }
            }
            return new Check(
                    name,
                    Verdict.WARN,
                    file + " has no line for " + target.host() + ":" + target.port() + ":" + target.database() + ":"
                            + target.user(),
                    "add HOST:PORT:DATABASE:USER:PASSWORD for it (* matches any field)");
        } catch (IOException e) {
            return new Check(name, Verdict.WARN, "cannot read " + file + ": " + e.getMessage(), null);
        }
    }

    /** Where a {@code postgresql://} URL points. */
    record Target(String host, int port, String database, String user) {
        static Target parse(String url) {
            URI uri;
            try {
                uri = new URI(url.strip());
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(e.getReason());
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("it names no host");
            }
            String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            String info = uri.getRawUserInfo();
            String user = info == null ? System.getProperty("user.name") : decode(info.split(":", 2)[0]);
            return new Target(
                    uri.getHost(),
                    uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(),
                    path.isEmpty() ? user : decode(path),
                    user);
        }

        /** Whether a password-file line (HOST:PORT:DATABASE:USER:PASSWORD, {@code *} for any) covers this. */
        boolean matches(String line) {
            if (line.isBlank() || line.startsWith("#")) {
                return false;
            }
            String[] fields = line.split("(?<!\\\\):", 5);
            if (fields.length < 5) {
                return false;
            }
            return field(fields[0], host)
                    && field(fields[1], String.valueOf(port))
                    && field(fields[2], database)
                    && field(fields[3], user);
        }

        private static boolean field(String pattern, String value) {
            return pattern.equals("*")
                    || pattern.replace("\\:", ":").replace("\\\\", "\\").equals(value);
        }

        private static String decode(String text) {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
    }
}
