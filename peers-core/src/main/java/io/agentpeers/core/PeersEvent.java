package io.agentpeers.core;

import java.util.List;

/** Something that happened in the network, announced after it was committed. */
public sealed interface PeersEvent {

    /** A peer registered, or resumed an earlier registration. */
    record PeerJoined(Peer peer, boolean resumed) implements PeersEvent {}

    /** A peer's summary or name changed. */
    record PeerUpdated(Peer peer) implements PeersEvent {}

    /** A peer went: its connection closed, it unregistered, or its processes died. */
    record PeerLeft(Peer peer, String reason) implements PeersEvent {}

    /** A message was stored for its recipient. */
    record MessageSent(Message message) implements PeersEvent {}

    /** A recipient acknowledged (delivered) or was shown (read) some of its messages. */
    record MessagesStateChanged(PeerId recipient, List<Long> ids, MessageState state) implements PeersEvent {
        /** Keeps a copy of {@code ids}. */
        public MessagesStateChanged {
            ids = List.copyOf(ids);
        }
    }

    /** A peer asked the broker to end another peer's agent. */
    record PeerKilled(Peer target, PeerId by, boolean signalled) implements PeersEvent {}
}
