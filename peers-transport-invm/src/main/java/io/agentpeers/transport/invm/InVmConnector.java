package io.agentpeers.transport.invm;

import io.agentpeers.protocol.transport.ClientConnection;
import io.agentpeers.protocol.transport.TransportConnector;
import io.agentpeers.protocol.transport.TransportException;
import java.util.Objects;

/**
 * Connects to the {@link InVmListener} of this JVM that listens under a name; each {@link #connect()}
 * looks the name up again, so a client reconnects to a broker restarted under the same name.
 */
public final class InVmConnector implements TransportConnector {
    private final String name;

    /** A connector to the listener of this JVM named {@code name}; nothing is looked up until {@link #connect()}. */
    public InVmConnector(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public String transport() {
        return InVmListener.TRANSPORT;
    }

    @Override
    public String address() {
        return name;
    }

    @Override
    public ClientConnection connect() {
        return InVmRegistry.lookup(name)
                .orElseThrow(() -> new TransportException("no in-VM broker listens as \"" + name + "\" in this JVM"))
                .connect();
    }

    @Override
    public String toString() {
        return "in-vm:" + name;
    }
}
