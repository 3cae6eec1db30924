package io.agentpeers.transport.invm;

import io.agentpeers.protocol.transport.TransportException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The in-VM listeners of this JVM by name: what a socket path is to the Unix transport. */
final class InVmRegistry {
    private static final ConcurrentMap<String, InVmListener> LISTENERS = new ConcurrentHashMap<>();

    private InVmRegistry() {}

    static void bind(String name, InVmListener listener) {
        if (LISTENERS.putIfAbsent(name, listener) != null) {
            throw new TransportException("cannot listen in VM as \"" + name + "\": another broker of this JVM listens"
                    + " under that name; close it or pick another name");
        }
    }

    static void unbind(String name, InVmListener listener) {
        LISTENERS.remove(name, listener);
    }

    static Optional<InVmListener> lookup(String name) {
        return Optional.ofNullable(LISTENERS.get(name));
    }
}
