package io.agentpeers.protocol.wire;

/** JSON-RPC 2.0 constants: the version string and the error codes peers uses. */
public final class JsonRpc {
    public static final String VERSION = "2.0";

    /** Invalid JSON, or a line that is not UTF-8. */
    public static final int PARSE_ERROR = -32700;
    /** Valid JSON that is not a request object, or a line that is too long. */
    public static final int INVALID_REQUEST = -32600;

    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;
    /**
     * Every failure of a peers rule; {@code error.data.code} carries the stable
     * {@link io.agentpeers.core.PeersException#code() code} (e.g. {@code "unknown_peer"}).
     */
    public static final int PEERS_ERROR = -32000;

    private JsonRpc() {}
}
