package io.agentpeers.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Who may use the dashboard: a browser that came with a one-time token from {@code peers dashboard} and
 * holds the session cookie it was given for it, on the exact loopback origin the dashboard serves. The
 * Host check defeats DNS rebinding (a foreign name resolving to 127.0.0.1 still sends its own Host); the
 * Origin check and the SameSite=Strict cookie defeat requests from other pages open in the browser.
 */
final class DashboardAccess {
    static final String COOKIE = "peers_session";
    /** A printed link unused this long is spent anyway: it may sit in a terminal's scrollback. */
    static final Duration TOKEN_LIFETIME = Duration.ofMinutes(10);
    /** Sessions kept; the oldest goes first (each browser profile holds one). */
    static final int MAX_SESSIONS = 16;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String host;
    private final String origin;
    private final Map<String, Long> tokens = new HashMap<>();
    private final Deque<String> sessions = new ArrayDeque<>();

    DashboardAccess(String hostAndPort) {
        this.host = hostAndPort;
        this.origin = "http://" + hostAndPort;
    }

    /** A new one-time login token. */
    synchronized String newToken() {
        long now = System.nanoTime();
        tokens.values().removeIf(expiry -> expiry - now < 0);
        String token = random();
        tokens.put(token, now + TOKEN_LIFETIME.toNanos());
        return token;
    }

    /** Spends {@code token}: a new session id when it was valid and unused, else null. */
    synchronized String exchange(String token) {
        if (token == null) {
            return null;
        }
        Long expiry = tokens.remove(token);
        if (expiry == null || expiry - System.nanoTime() < 0) {
            return null;
        }
        String session = random();
        sessions.addLast(session);
        while (sessions.size() > MAX_SESSIONS) {
            sessions.removeFirst();
        }
        return session;
    }

    /** Whether a request's Cookie header carries a live session. */
    synchronized boolean hasSession(String cookieHeader) {
        String presented = cookie(cookieHeader);
        if (presented == null) {
            return false;
        }
        byte[] bytes = presented.getBytes(StandardCharsets.US_ASCII);
        boolean found = false;
        for (Iterator<String> it = sessions.iterator(); it.hasNext(); ) {
            // Constant time for each: no early exit on the first differing byte.
            found |= MessageDigest.isEqual(it.next().getBytes(StandardCharsets.US_ASCII), bytes);
        }
        return found;
    }

    /** Why a request's Host, Origin or fetch site is refused, or null when they are this dashboard's. */
    String refusal(String hostHeader, String originHeader, String fetchSite) {
        if (!host.equals(hostHeader)) {
            return "the Host header must be " + host;
        }
        if (originHeader != null && !origin.equals(originHeader)) {
            return "requests from another origin are refused";
        }
        if ("cross-site".equals(fetchSite)) {
            return "cross-site requests are refused";
        }
        return null;
    }

    String origin() {
        return origin;
    }

    private static String cookie(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String pair = part.strip();
            if (pair.startsWith(COOKIE + "=")) {
                return pair.substring(COOKIE.length() + 1);
            }
        }
        return null;
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
