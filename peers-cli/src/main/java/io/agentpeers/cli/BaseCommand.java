package io.agentpeers.cli;

import io.agentpeers.protocol.PeersPaths;
import io.agentpeers.protocol.client.PeersClient;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every command shares: where the broker is, {@code --json}, {@code --verbose}, and the context. */
public abstract class BaseCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = "--json", description = "Print JSON for scripts instead of text.")
    protected boolean json;

    @Option(
            names = {"-v", "--verbose"},
            description = "Show log lines and stack traces.")
    protected boolean verbose;

    private Terminal terminal;

    protected CliContext context() {
        return ((ContextRoot) spec.root().userObject()).context();
    }

    protected PeersPaths paths() {
        return connection.paths(context());
    }

    protected Terminal terminal() {
        if (terminal == null) {
            CliContext context = context();
            terminal = new Terminal(context.out(), context.err(), context.colour());
        }
        return terminal;
    }

    /** A connection that fails with exit code 3 when no broker answers. */
    protected PeersClient connect() {
        return BrokerAccess.connect(paths(), false);
    }

    /** A connection holding the person's CLI peer. */
    protected PeersClient connectAsPerson() {
        return connectAsPerson(null);
    }

    /** {@link #connectAsPerson()}, waiting up to {@code heldWait} (null: the default) for another command's hold. */
    protected PeersClient connectAsPerson(java.time.Duration heldWait) {
        PeersClient client = connect();
        try {
            CliPerson person = new CliPerson(context(), paths());
            if (heldWait == null) {
                person.register(client);
            } else {
                person.register(client, heldWait);
            }
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public final Integer call() throws Exception {
        return run();
    }

    /** Does the work; returns the exit code. */
    protected abstract int run() throws Exception;
}
