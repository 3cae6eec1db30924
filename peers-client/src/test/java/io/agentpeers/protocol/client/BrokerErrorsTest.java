package io.agentpeers.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentpeers.core.AgentNotVerifiedException;
import io.agentpeers.core.AlreadyRegisteredException;
import io.agentpeers.core.ErrorCode;
import io.agentpeers.core.InvalidArgumentException;
import io.agentpeers.core.InvalidNameException;
import io.agentpeers.core.KillRefusedException;
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
import io.agentpeers.protocol.HelloRequiredException;
import io.agentpeers.protocol.InvalidParamsException;
import io.agentpeers.protocol.MethodNotFoundException;
import io.agentpeers.protocol.VersionMismatchException;
import io.agentpeers.protocol.transport.ConnectionRefusedException;
import io.agentpeers.protocol.wire.FramingError;
import io.agentpeers.protocol.wire.FramingException;
import io.agentpeers.protocol.wire.JsonRpc;
import io.agentpeers.protocol.wire.JsonRpcError;
import io.agentpeers.protocol.wire.JsonRpcException;
import io.agentpeers.protocol.wire.JsonRpcResponse;
import io.agentpeers.protocol.wire.WireJson;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whatever a broker throws, a client throws again: same type, code, sentence and extra data. */
class BrokerErrorsTest {

    /** Encoded as a broker does, sent as one line, read and decoded as a client does. */
    private static PeersException overTheWire(PeersException thrown) throws Exception {
        String line = JsonRpcResponse.failure(JsonNodeFactory.instance.numberNode(1), JsonRpcError.of(thrown))
                .toLine();
        JsonRpcResponse read = JsonRpcResponse.fromNode(WireJson.mapper().readTree(line));
        return BrokerErrors.toException(read.error());
    }

    @Test
    void everyRuleTheBrokerEnforcesComesBackAsItsOwnType() throws Exception {
        List<PeersException> thrown = List.of(
                new InvalidArgumentException("scope must be machine, directory or repo"),
                new NotRegisteredException("register first"),
                new AlreadyRegisteredException("one peer a connection"),
                new UnknownMessageException("no message 7"),
                new InvalidNameException("Bad Name"),
                new NameTakenException("alice is taken"),
                new MessageTooLargeException("too long"),
                new SummaryTooLongException("too long"),
                new NotAuthorizedException("not yours"),
                new KillRefusedException("not yourself"),
                new AgentNotVerifiedException("not your parent"),
                new ResumeRefusedException("no such secret"),
                new PeerStillConnectedException("still connected"),
                new StoreException("disk full"),
                new StoreUnavailableException("the broker cannot reach its database since 00:00"),
                new HelloRequiredException("say hello"),
                new VersionMismatchException("protocol 2"),
                new BadTokenException("wrong token"),
                new MethodNotFoundException("no frobnicate"),
                new InvalidParamsException("'to' is required"),
                new FramingException(FramingError.INVALID_UTF8, 1024),
                new FramingException(FramingError.LINE_TOO_LONG, 1024),
                new JsonRpcException(JsonRpcError.parseError("invalid JSON"), null),
                new JsonRpcException(JsonRpcError.invalidRequest("batch requests are not supported"), null));
        for (PeersException e : thrown) {
            PeersException back = overTheWire(e);
            assertSame(e.getClass(), back.getClass(), e.code());
            assertEquals(e.errorCode(), back.errorCode());
            assertEquals(e.getMessage(), back.getMessage());
        }
    }

    @Test
    void theJsonRpcNumberFollowsTheCode() {
        assertEquals(
                JsonRpc.INVALID_PARAMS,
                JsonRpcError.of(new InvalidParamsException("x")).code());
        assertEquals(
                JsonRpc.METHOD_NOT_FOUND,
                JsonRpcError.of(new MethodNotFoundException("x")).code());
        assertEquals(
                JsonRpc.PARSE_ERROR,
                JsonRpcError.of(new JsonRpcException(JsonRpcError.parseError("x"), null))
                        .code());
        assertEquals(
                JsonRpc.INVALID_REQUEST,
                JsonRpcError.of(new FramingException(FramingError.LINE_TOO_LONG, 9))
                        .code());
        assertEquals(
                JsonRpc.PEERS_ERROR,
                JsonRpcError.of(new NameTakenException("x")).code());
    }

    @Test
    void extraDataComesAlong() throws Exception {
        UnknownPeerException unknown =
                (UnknownPeerException) overTheWire(new UnknownPeerException("bobcar", List.of("bobcat")));
        assertEquals(List.of("bobcat"), unknown.suggestions());
        assertEquals("no peer has the id or name 'bobcar'; did you mean bobcat?", unknown.getMessage());

        RateLimitedException limited = (RateLimitedException) overTheWire(new RateLimitedException(1_500, 600, 200));
        assertEquals(1_500, limited.retryAfterMillis());
        assertEquals(new RateLimitedException(1_500, 600, 200).getMessage(), limited.getMessage());
    }

    @Test
    void aStillConnectedPeerIsAlsoARefusedResume() throws Exception {
        PeersException back = overTheWire(new PeerStillConnectedException("still connected"));
        assertEquals(ErrorCode.PEER_STILL_CONNECTED, back.errorCode());
        assertTrue(back instanceof ResumeRefusedException, "a catch of the parent still catches it");
    }

    @Test
    void aListenerRefusalReadsAsNotAuthorized() throws Exception {
        assertSame(
                NotAuthorizedException.class,
                overTheWire(new ConnectionRefusedException("another uid")).getClass());
    }

    @Test
    void aBugOrAnUnknownCodeIsABrokerExceptionThatKeepsWhatWasSent() {
        PeersException bug = BrokerErrors.toException(JsonRpcError.internalFailure("the broker failed on send"));
        assertSame(BrokerException.class, bug.getClass());
        assertEquals(ErrorCode.INTERNAL_ERROR, bug.errorCode());

        JsonRpcError newer = new JsonRpcError(
                JsonRpc.PEERS_ERROR,
                "over quota",
                JsonNodeFactory.instance.objectNode().put("code", "quota_exceeded"));
        BrokerException unknown = (BrokerException) BrokerErrors.toException(newer);
        assertEquals(ErrorCode.UNKNOWN, unknown.errorCode());
        assertEquals("quota_exceeded", unknown.code());
        assertEquals(JsonRpc.PEERS_ERROR, unknown.rpcCode());
        assertEquals("over quota", unknown.getMessage());
    }
}
