package io.agentpeers.core;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every failure peers names, each with the stable lower-snake-case string the wire protocol sends as
 * {@code error.data.code} (docs/protocol.md, "Errors", lists what each means and what to do). Each
 * {@link PeersException} subclass carries one; a client maps the string back to the same subclass.
 */
public enum ErrorCode {
    // JSON-RPC itself (the broker answers these with the standard JSON-RPC error numbers)
    /** The line is not JSON. */
    PARSE_ERROR("parse_error"),
    /** The line is not UTF-8. */
    INVALID_UTF8("invalid_utf8"),
    /** Not a JSON-RPC 2.0 request object. */
    INVALID_REQUEST("invalid_request"),
    /** The line is longer than the broker reads; the connection is closed. */
    LINE_TOO_LONG("line_too_long"),
    /** No method of that name. */
    METHOD_NOT_FOUND("method_not_found"),
    /** A parameter is missing or of the wrong type. */
    INVALID_PARAMS("invalid_params"),
    /** A bug in the broker; it keeps serving. */
    INTERNAL_ERROR("internal_error"),

    // the session
    /** The first request of a connection must be {@code hello}. */
    HELLO_REQUIRED("hello_required"),
    /** Client and broker speak different protocol versions. */
    VERSION_MISMATCH("version_mismatch"),
    /** Over TCP, {@code hello} carried no token or a wrong one. */
    BAD_TOKEN("bad_token"),
    /**
     * The broker holds too much unread input from all its connections together; the connection holding
     * the most is closed.
     */
    BROKER_BUSY("broker_busy"),

    // the domain's rules
    /** A value breaks its documented shape. */
    INVALID_ARGUMENT("invalid_argument"),
    /** The request needs a registered peer on this connection. */
    NOT_REGISTERED("not_registered"),
    /** This connection already holds a peer. */
    ALREADY_REGISTERED("already_registered"),
    /** No peer has that id or name. */
    UNKNOWN_PEER("unknown_peer"),
    /** No message with that id that the caller sent or received. */
    UNKNOWN_MESSAGE("unknown_message"),
    /** A name outside {@code [a-z0-9-]{1,32}}, or one that looks like an id. */
    INVALID_NAME("invalid_name"),
    /** A name held by a live peer or reserved for a gone one. */
    NAME_TAKEN("name_taken"),
    /** A message text over the limit, or empty. */
    MESSAGE_TOO_LARGE("message_too_large"),
    /** A summary over the limit. */
    SUMMARY_TOO_LONG("summary_too_long"),
    /** The sender's token bucket is empty. */
    RATE_LIMITED("rate_limited"),
    /** The caller may not do this. */
    NOT_AUTHORIZED("not_authorized"),
    /** A kill the rules forbid. */
    KILL_REFUSED("kill_refused"),
    /** The broker holding the victim of a kill did not answer it in time; the request is void. */
    KILL_UNANSWERED("kill_unanswered"),
    /** The named agent process is not the connecting process's parent of the same uid. */
    AGENT_NOT_VERIFIED("agent_not_verified"),
    /** No peer has this resume secret. */
    RESUME_REFUSED("resume_refused"),
    /** The peer to resume is still held by a live connection. */
    PEER_STILL_CONNECTED("peer_still_connected"),
    /** The store failed. */
    STORE_FAILURE("store_failure"),
    /**
     * The broker cannot reach its database for now (a PostgreSQL server stopped or unreachable): nothing was
     * written; it reconnects in the background.
     */
    STORE_UNAVAILABLE("store_unavailable"),

    // local failures, never sent by a broker
    /** A transport could not bind, connect or talk. */
    TRANSPORT_FAILURE("transport_failure"),
    /** No broker answers, or the connection dropped before the reply came. */
    BROKER_UNAVAILABLE("broker_unavailable"),
    /** A broker could not be started in the background. */
    BROKER_START_FAILED("broker_start_failed"),
    /** Another broker holds this home's lock. */
    BROKER_RUNNING("broker_running"),
    /** The broker's lock file could not be taken. */
    BROKER_LOCK("broker_lock"),
    /** A CLI command could not do its job. */
    COMMAND_FAILED("command_failed"),
    /** The CLI found no broker. */
    BROKER_UNREACHABLE("broker_unreachable"),
    /** A code this side does not know (a newer broker's). */
    UNKNOWN("unknown");

    private static final Map<String, ErrorCode> BY_WIRE_NAME =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(ErrorCode::wireName, Function.identity()));

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    /** The string sent as {@code error.data.code}. */
    public String wireName() {
        return wireName;
    }

    /** The code of a wire string; empty for one this version does not know. */
    public static Optional<ErrorCode> fromWireName(String wireName) {
        return Optional.ofNullable(wireName == null ? null : BY_WIRE_NAME.get(wireName));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
