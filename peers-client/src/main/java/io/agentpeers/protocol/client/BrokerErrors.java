package io.agentpeers.protocol.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentpeers.core.AgentNotVerifiedException;
import io.agentpeers.core.AlreadyRegisteredException;
import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.InvalidNameException;
import io.agentpeers.core.KillRefusedException;
import io.agentpeers.core.KillUnansweredException;
import io.agentpeers.core.MessageTooLargeException;
import io.agentpeers.core.NameTakenException;
import io.agentpeers.core.NotAuthorizedException;
import io.agentpeers.core.NotRegisteredException;
import io.agentpeers.core.PeerStillConnectedException;
import io.agentpeers.core.PeersException;
import io.agentpeers.core.RateLimitedException;
import io.agentpeers.core.ResumeRefusedException;
import io.agentpeers.core.StoreException;
import io.agentpeers.core.StoreUnavailableException;
import io.agentpeers.core.SummaryTooLongException;
import io.agentpeers.core.UnknownMessageException;
import io.agentpeers.core.UnknownPeerException;
import io.agentpeers.protocol.BadTokenException;
import io.agentpeers.protocol.BrokerBusyException;
import io.agentpeers.protocol.HelloRequiredException;
import io.agentpeers.protocol.InvalidParamsException;
import io.agentpeers.protocol.MethodNotFoundException;
import io.agentpeers.protocol.VersionMismatchException;
import io.agentpeers.protocol.wire.FramingError;
import io.agentpeers.protocol.wire.FramingException;
import io.agentpeers.protocol.wire.JsonRpcError;
import io.agentpeers.protocol.wire.JsonRpcException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an error the broker sent back into the exception the broker threw, so that a caller can
 * {@code catch (UnknownPeerException e)} over the wire; the inverse of {@link JsonRpcError#of}.
 * Extra data comes along (suggestions, retry-after). What has no type here is a {@link BrokerException}.
 */
public final class BrokerErrors {
    private BrokerErrors() {}

    /**
     * The exception for an error the broker sent, typed by its {@code data.code}: an error without one, or
     * with a code this client does not know, is a {@link BrokerException}. Returned, not thrown.
     */
    public static PeersException toException(JsonRpcError error) {
        String message = error.message();
        ErrorCode code = error.dataCode().flatMap(ErrorCode::fromWireName).orElse(ErrorCode.UNKNOWN);
        return switch (code) {
            case PARSE_ERROR, INVALID_REQUEST -> new JsonRpcException(error, null);
            case INVALID_UTF8 -> new FramingException(FramingError.INVALID_UTF8, message);
            case LINE_TOO_LONG -> new FramingException(FramingError.LINE_TOO_LONG, message);
            case METHOD_NOT_FOUND -> new MethodNotFoundException(message);
            case INVALID_PARAMS -> new InvalidParamsException(message);
            case HELLO_REQUIRED -> new HelloRequiredException(message);
            case VERSION_MISMATCH -> new VersionMismatchException(message);
            case BAD_TOKEN -> new BadTokenException(message);
            case BROKER_BUSY -> new BrokerBusyException(message);
            case INVALID_ARGUMENT -> new InvalidArgumentException(message);
            case NOT_REGISTERED -> new NotRegisteredException(message);
            case ALREADY_REGISTERED -> new AlreadyRegisteredException(message);
            case UNKNOWN_PEER -> UnknownPeerException.reported(message, suggestions(error.data()));
            case UNKNOWN_MESSAGE -> new UnknownMessageException(message);
            case INVALID_NAME -> new InvalidNameException(message);
            case NAME_TAKEN -> new NameTakenException(message);
            case MESSAGE_TOO_LARGE -> new MessageTooLargeException(message);
            case SUMMARY_TOO_LONG -> new SummaryTooLongException(message);
            case RATE_LIMITED ->
                RateLimitedException.reported(
                        message,
                        error.data() == null
                                ? 0
                                : error.data().path(JsonRpcError.RETRY_AFTER_MS).asLong(0));
            case NOT_AUTHORIZED -> new NotAuthorizedException(message);
            case KILL_REFUSED -> new KillRefusedException(message);
            case KILL_UNANSWERED -> new KillUnansweredException(message);
            case AGENT_NOT_VERIFIED -> new AgentNotVerifiedException(message);
            case RESUME_REFUSED -> new ResumeRefusedException(message);
            case PEER_STILL_CONNECTED -> new PeerStillConnectedException(message);
            case STORE_FAILURE -> new StoreException(message);
            case STORE_UNAVAILABLE -> new StoreUnavailableException(message);
            // a bug in the broker, a newer broker's code, or one that only this side raises
            default -> new BrokerException(error);
        };
    }

    private static List<String> suggestions(JsonNode data) {
        List<String> list = new ArrayList<>();
        if (data != null) {
            data.path(JsonRpcError.SUGGESTIONS).forEach(name -> list.add(name.asText()));
        }
        return list;
    }
}
