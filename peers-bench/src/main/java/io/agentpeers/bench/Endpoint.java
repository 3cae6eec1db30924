package io.agentpeers.bench;

import java.nio.file.Path;

/** Where the benchmark reaches the broker: its Unix socket, or TCP with the token. */
record Endpoint(String transport, Path socket, String host, int port, String token) {

    static Endpoint unix(Path socket) {
        return new Endpoint("unix", socket, null, 0, null);
    }

    static Endpoint tcp(String host, int port, String token) {
        return new Endpoint("tcp", null, host, port, token);
    }

    boolean unix() {
        return "unix".equals(transport);
    }

    @Override
    public String toString() {
        return unix() ? "unix:" + socket : "tcp:" + host + ":" + port;
    }
}
