package io.agentpeers.transport.tcp;

import io.agentpeers.core.InvalidArgumentException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * A host and port to listen on or connect to.
 *
 * <p>{@link #parse} accepts {@code "127.0.0.1:7899"}, {@code "localhost:7899"}, {@code "[::1]:7899"}
 * and a bare port ({@code "7899"} or {@code ":7899"}), which means the loopback address: only an
 * address the user names on purpose leaves the machine.
 */
public record TcpAddress(String host, int port) {
    public static final String LOOPBACK = "127.0.0.1";

    public TcpAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new InvalidArgumentException("a TCP address needs a host");
        }
        if (port < 0 || port > 65535) {
            throw new InvalidArgumentException("a TCP port is between 0 and 65535, got " + port);
        }
    }

    /** The loopback address at {@code port} (0: any free port). */
    public static TcpAddress loopback(int port) {
        return new TcpAddress(LOOPBACK, port);
    }

    /**
     * Reads {@code host:port}, {@code [ipv6]:port} or a bare port (then the loopback address); blanks
     * around it are ignored and nothing is resolved.
     *
     * @throws InvalidArgumentException when the text is none of these, or the port is over 65535
     */
    public static TcpAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        String value = text.strip();
        String host;
        String portText;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || close + 1 >= value.length() || value.charAt(close + 1) != ':') {
                throw invalid(text);
            }
            host = value.substring(1, close);
            portText = value.substring(close + 2);
        } else {
            int colon = value.lastIndexOf(':');
            if (colon < 0) {
                host = LOOPBACK;
                portText = value;
            } else {
                if (value.indexOf(':') != colon) {
                    // An IPv6 literal without brackets: its port cannot be told apart.
                    throw invalid(text);
                }
                host = colon == 0 ? LOOPBACK : value.substring(0, colon);
                portText = value.substring(colon + 1);
            }
        }
        if (host.isEmpty()
                || portText.isEmpty()
                || !portText.chars().allMatch(Character::isDigit)
                || portText.length() > 5) {
            throw invalid(text);
        }
        return new TcpAddress(host, Integer.parseInt(portText));
    }

    /** Resolves the host (a name lookup for a name, none for a literal). */
    public InetSocketAddress resolve() {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new InvalidArgumentException("unknown host in TCP address " + this + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static InvalidArgumentException invalid(String text) {
        return new InvalidArgumentException("not a TCP address: \"" + text
                + "\" (expected host:port, e.g. 127.0.0.1:7899, localhost:7899, [::1]:7899, or a port)");
    }
}
