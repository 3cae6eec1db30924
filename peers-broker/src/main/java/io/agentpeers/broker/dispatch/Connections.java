package io.agentpeers.broker.dispatch;

import io.agentpeers.broker.server.ServerConnection;
import io.agentpeers.core.PeerId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open connections: which one holds each peer, and which ones observe every event. */
final class Connections {
    private final Set<ServerConnection> open = ConcurrentHashMap.newKeySet();
    private final Map<PeerId, ServerConnection> holders = new ConcurrentHashMap<>();
    private final Set<ServerConnection> observers = ConcurrentHashMap.newKeySet();

    void opened(ServerConnection connection) {
        open.add(connection);
    }

    void closed(ServerConnection connection) {
        open.remove(connection);
        observers.remove(connection);
    }

    int count() {
        return open.size();
    }

    /** Makes {@code connection} the holder of {@code peer}; returns the one it replaces, or null. */
    ServerConnection hold(PeerId peer, ServerConnection connection) {
        return holders.put(peer, connection);
    }

    /** Lets go of {@code peer} if {@code connection} still holds it; true if it did. */
    boolean release(PeerId peer, ServerConnection connection) {
        return holders.remove(peer, connection);
    }

    ServerConnection holder(PeerId peer) {
        return holders.get(peer);
    }

    void observe(ServerConnection connection) {
        observers.add(connection);
    }

    boolean observed() {
        return !observers.isEmpty();
    }

    /** Sends one line to every observer. */
    void toObservers(String line) {
        observers.forEach(observer -> observer.send(line));
    }
}
