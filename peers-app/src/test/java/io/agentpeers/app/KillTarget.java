package io.agentpeers.app;

import io.agentpeers.core.ClientType;
import io.agentpeers.core.RegisterRequest;
import io.agentpeers.protocol.client.ClientOptions;
import io.agentpeers.protocol.client.PeersClient;
import io.agentpeers.transport.unix.UnixSocketConnector;
import java.nio.file.Path;

/**
 * A peer in a process of its own, to be killed: registers under a name on the broker of the socket
 * {@code args[0]} (its own agent, so the kill's SIGTERM ends this JVM), says READY on stdout, then sleeps, at
 * most two minutes. Arguments: socket, name.
 */
public final class KillTarget {
    private KillTarget() {}

    public static void main(String[] args) throws Exception {
        try (PeersClient client = PeersClient.connect(
                new UnixSocketConnector(Path.of(args[0])),
                ClientOptions.defaults().withReconnect(false))) {
            client.register(
                    RegisterRequest.of("/kill/target", ClientType.GENERIC).withName(args[1]));
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(120_000);
        }
        System.exit(0);
    }
}
