package io.agentpeers.store.postgres;

import io.agentpeers.core.InvalidArgumentException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where a PostgreSQL store lives, written as libpq writes it ({@code postgresql://[user@]host[:port]/database}),
 * with an optional {@code ?schema=NAME} (default: the user's own schema, usually {@code public}) and
 * {@code sslmode=...}. What a user sets {@code PEERS_DB} to.
 *
 * <p>A password is refused in the URL: URLs end up in process lists, shell histories and logs. The
 * password comes from {@code PGPASSWORD} in the environment, else from the file that libpq reads too
 * ({@code PGPASSFILE}, default {@code ~/.pgpass}), which the driver reads itself.
 *
 * @param host     a name or address; an IPv6 address without brackets
 * @param port     the TCP port, 5432 unless given
 * @param database the database's name
 * @param user     the role to connect as, or null for the driver's default (the OS user's name)
 * @param schema   the schema of the tables, or null for the role's default
 * @param sslMode  the driver's {@code sslmode}, or null for its default
 */
public record PostgresUrl(String host, int port, String database, String user, String schema, String sslMode) {
    public static final int DEFAULT_PORT = 5432;

    public PostgresUrl {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
    }

    /** Whether {@code value} is meant as such a URL rather than a file path. */
    public static boolean looksLikeOne(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        return lower.startsWith("postgresql://") || lower.startsWith("postgres://");
    }

    /**
     * Reads {@code url}.
     *
     * @throws InvalidArgumentException naming what is wrong: another scheme, a password, no host or
     *                                  database, a bad port, an unknown parameter
     */
    public static PostgresUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        if (!looksLikeOne(url)) {
            throw invalid("it must start with postgresql://");
        }
        String rest = url.substring(url.indexOf("://") + 3);
        String query = null;
        int question = rest.indexOf('?');
        if (question >= 0) {
            query = rest.substring(question + 1);
            rest = rest.substring(0, question);
        }
        int slash = rest.indexOf('/');
        if (slash < 0 || slash == rest.length() - 1) {
            throw invalid("it names no database (postgresql://host/DATABASE)");
        }
        String authority = rest.substring(0, slash);
        String database = decode(rest.substring(slash + 1));
        if (database.contains("/")) {
            throw invalid("the database name must not contain '/'");
        }
        String user = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            if (userInfo.contains(":")) {
                throw invalid("it holds a password, which a URL must not (it would show in process lists and logs):"
                        + " put it in PGPASSWORD or ~/.pgpass");
            }
            user = userInfo.isEmpty() ? null : decode(userInfo);
            authority = authority.substring(at + 1);
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw invalid("an IPv6 address must end with ']'");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (after.startsWith(":")) {
                portText = after.substring(1);
            } else if (!after.isEmpty()) {
                throw invalid("unexpected '" + after + "' after the host");
            }
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw invalid("it names no host (postgresql://HOST/database)");
        }
        if (host.contains(",")) {
            throw invalid("only one host is supported");
        }
        int port = DEFAULT_PORT;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65_535) {
                throw invalid("the port must be a number from 1 to 65535, not '" + portText + "'");
            }
        }
        String schema = null;
        String sslMode = null;
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                switch (name) {
                    case "schema" -> schema = value.isEmpty() ? null : value;
                    case "sslmode" -> sslMode = value.isEmpty() ? null : value;
                    case "password" ->
                        throw invalid("it holds a password, which a URL must not: put it in PGPASSWORD or ~/.pgpass");
                    default -> throw invalid("unknown parameter '" + name + "' (known: schema, sslmode)");
                }
            }
        }
        return new PostgresUrl(host, port, database, user, schema, sslMode);
    }

    /** The driver's URL: host, port and database only; everything else goes in {@link #properties}. */
    public String jdbcUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + encode(database);
    }

    /**
     * The driver's connection properties: the user, the schema, the SSL mode, and the password when
     * {@code env} has {@code PGPASSWORD} (else the driver looks in {@code PGPASSFILE} or {@code ~/.pgpass}).
     *
     * @param env the process's environment, or a test's stand-in
     */
    public Properties properties(Map<String, String> env) {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (schema != null) {
            p.setProperty("currentSchema", schema);
        }
        if (sslMode != null) {
            p.setProperty("sslmode", sslMode);
        }
        String password = env.get("PGPASSWORD");
        if (password != null && !password.isEmpty()) {
            p.setProperty("password", password);
        }
        return p;
    }

    /** As a user would write it; never holds a password. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("postgresql://");
        if (user != null) {
            s.append(encode(user)).append('@');
        }
        s.append(host.contains(":") ? "[" + host + "]" : host);
        if (port != DEFAULT_PORT) {
            s.append(':').append(port);
        }
        s.append('/').append(encode(database));
        String separator = "?";
        if (schema != null) {
            s.append(separator).append("schema=").append(encode(schema));
            separator = "&";
        }
        if (sslMode != null) {
            s.append(separator).append("sslmode=").append(encode(sslMode));
        }
        return s.toString();
    }

    private static String decode(String part) {
        try {
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("a bad %-escape in '" + part + "'");
        }
    }

    private static String encode(String part) {
        StringBuilder s = new StringBuilder();
        for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                s.append((char) c);
            } else {
                s.append('%').append(String.format("%02X", c));
            }
        }
        return s.toString();
    }

    /** Never quotes the URL, which may hold the password it is refused for. */
    private static InvalidArgumentException invalid(String why) {
        return new InvalidArgumentException("PEERS_DB is not a PostgreSQL URL peers can use: " + why
                + " (postgresql://user@host:port/database?schema=NAME, the password in PGPASSWORD or ~/.pgpass)");
    }
}
