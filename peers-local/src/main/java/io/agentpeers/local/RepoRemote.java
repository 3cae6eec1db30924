package io.agentpeers.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A repository's remote in the form every clone of it shares, {@code host/path} (for example
 * {@code github.com/agentpeers/peers}): the second key of scope {@code repo}, since the git common dir is a
 * path of one host. Whichever way a clone names the remote (ssh, scp-like, https, with or without a user, a
 * port or {@code .git}), the form is the same; credentials in a URL never get into it.
 *
 * <p>The remote is {@code origin}, or the only remote when there is no {@code origin}; none when there are
 * several others (which one names the project is a guess). Local remotes ({@code file://}, paths) name no
 * project across hosts: none. Read from the repository's {@code config} with no git process; {@code include}
 * directives and {@code insteadOf} rewrites are not followed.
 */
public final class RepoRemote {
    private static final int MAX_CONFIG_BYTES = 1 << 20;

    private RepoRemote() {}

    /** The remote of the repository whose shared git folder is {@code commonDir}, or empty. */
    public static Optional<String> of(Path commonDir) {
        Path config = commonDir.resolve("config");
        try {
            if (!Files.isRegularFile(config) || Files.size(config) > MAX_CONFIG_BYTES) {
                return Optional.empty();
            }
            return chosen(remoteUrls(Files.readString(config, StandardCharsets.UTF_8)))
                    .flatMap(RepoRemote::canonical);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable or not UTF-8: no second key, as outside a repository
        }
    }

    /** {@code host/path} of a remote URL as git accepts it, or empty for a local or unparsable one. */
    public static Optional<String> canonical(String url) {
        String u = url.strip();
        if (u.isEmpty() || u.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return Optional.empty();
        }
        String hostAndPath;
        int scheme = u.indexOf("://");
        if (scheme > 0) {
            String name = u.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (name.equals("file")) {
                return Optional.empty();
            }
            hostAndPath = u.substring(scheme + 3);
        } else {
            // scp-like [user@]host:path; a colon after the first slash makes it a local path (git's rule)
            int colon = u.indexOf(':');
            int slash = u.indexOf('/');
            if (colon <= 0 || (slash >= 0 && slash < colon)) {
                return Optional.empty();
            }
            hostAndPath = u.substring(0, colon) + "/" + u.substring(colon + 1);
        }
        int pathStart = hostAndPath.indexOf('/');
        if (pathStart <= 0) {
            return Optional.empty();
        }
        String authority = hostAndPath.substring(0, pathStart);
        String host = authority.substring(authority.lastIndexOf('@') + 1);
        if (host.startsWith("[")) { // [v6]:port
            int close = host.indexOf(']');
            host = close < 0 ? "" : host.substring(0, close + 1);
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        String path = hostAndPath.substring(pathStart).replaceAll("/{2,}", "/");
        path = strip(path, "/");
        if (path.endsWith(".git")) {
            path = strip(path.substring(0, path.length() - ".git".length()), "/");
        }
        if (host.isEmpty() || path.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(host.toLowerCase(Locale.ROOT) + "/" + path);
    }

    private static String strip(String path, String slash) {
        String p = path;
        while (p.startsWith(slash)) {
            p = p.substring(1);
        }
        while (p.endsWith(slash)) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static Optional<String> chosen(Map<String, String> urls) {
        if (urls.containsKey("origin")) {
            return Optional.of(urls.get("origin"));
        }
        return urls.size() == 1 ? Optional.of(urls.values().iterator().next()) : Optional.empty();
    }

    /** Each remote's first {@code url}, by remote name, from git's config syntax (the subset remotes use). */
    static Map<String, String> remoteUrls(String config) {
        Map<String, String> urls = new LinkedHashMap<>();
        String remote = null;
        for (String raw : config.split("\r?\n")) {
            String line = raw.strip();
            if (line.startsWith("[")) {
                remote = remoteSection(line);
                continue;
            }
            if (remote == null || line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0 || !line.substring(0, eq).strip().equalsIgnoreCase("url")) {
                continue;
            }
            urls.putIfAbsent(remote, value(line.substring(eq + 1)));
        }
        return urls;
    }

    /** The remote's name for a {@code [remote "name"]} header, else null (another section). */
    private static String remoteSection(String header) {
        int close = header.lastIndexOf(']');
        if (close < 0) {
            return null;
        }
        String inside = header.substring(1, close).strip();
        int quote = inside.indexOf('"');
        if (quote < 0
                || !inside.substring(0, quote).strip().equalsIgnoreCase("remote")
                || !inside.endsWith("\"")
                || inside.length() - 1 <= quote) {
            return null;
        }
        return inside.substring(quote + 1, inside.length() - 1)
                .replace("\\\"", "\"")
                .replace("\\\\", "\\");
    }

    /** A value without its quotes, escapes and trailing comment. */
    private static String value(String raw) {
        StringBuilder out = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && i + 1 < raw.length()) {
                char next = raw.charAt(++i);
                out.append(next == 't' ? '\t' : next == 'n' ? '\n' : next);
            } else if (!quoted && (c == '#' || c == ';')) {
                break;
            } else {
                out.append(c);
            }
        }
        return out.toString().strip();
    }
}
