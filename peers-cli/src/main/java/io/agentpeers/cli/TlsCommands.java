package io.agentpeers.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentpeers.transport.tcp.tls.TeamAuthority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code peers tls init} and {@code peers tls issue NAME}: the team's certificate authority for TLS clients. */
final class TlsCommands {
    private TlsCommands() {}

    @Command(
            name = "tls",
            description = "The team's certificate authority, for agents on machines without a broker.",
            subcommands = {Init.class, Issue.class})
    static final class Tls extends BaseCommand {
        @Override
        protected int run() {
            spec.commandLine().usage(context().err());
            return CliFailure.USAGE;
        }
    }

    @Command(
            name = "init",
            description = "Create the team's certificate authority in PEERS_HOME/tls (ca.key 0600, ca.crt).")
    static final class Init extends BaseCommand {
        @Option(names = "--team", paramLabel = "NAME", description = "The team's name in the CA (default: peers).")
        String team = "peers";

        @Option(
                names = "--force",
                description = "Replace an authority already there: every certificate it issued stops being trusted.")
        boolean force;

        @Override
        protected int run() {
            Path folder = TeamAuthority.folder(paths().home());
            TeamAuthority.create(folder, team, force);
            Path cert = folder.resolve(TeamAuthority.CERT_FILE).toAbsolutePath();
            if (json) {
                ObjectNode node = JsonNodeFactory.instance.objectNode();
                node.put("certificate", cert.toString());
                node.put(
                        "key",
                        folder.resolve(TeamAuthority.KEY_FILE).toAbsolutePath().toString());
                terminal().json(node);
            } else {
                terminal()
                        .println(
                                "created the certificate authority of team " + team + " in " + folder.toAbsolutePath());
                terminal()
                        .println(
                                "next: `peers tls issue NAME` for each machine, then `peers broker run --tls HOST:PORT`");
            }
            return 0;
        }
    }

    @Command(
            name = "issue",
            description = "Issue a client certificate bundle (NAME.crt, NAME.key, ca.crt) signed by the team's CA.")
    static final class Issue extends BaseCommand {
        @Parameters(paramLabel = "NAME", description = "The client's name, shown as its identity (e.g. laptop-ana).")
        String name;

        @Option(names = "--days", paramLabel = "N", description = "How long it is valid (default: 365 days).")
        int days = 365;

        @Option(
                names = "--out",
                paramLabel = "DIR",
                description = "Where to write the bundle (default: PEERS_HOME/tls/clients/NAME).")
        Path out;

        @Option(names = "--force", description = "Replace a bundle of this name already there.")
        boolean force;

        @Override
        protected int run() {
            TeamAuthority.requireName(name, "the client's name");
            if (days < 1 || days > 3650) {
                throw CliFailure.usage("--days must be between 1 and 3650, not " + days);
            }
            Path home = paths().home();
            TeamAuthority authority = TeamAuthority.load(TeamAuthority.folder(home));
            Path folder = out != null
                    ? out
                    : TeamAuthority.folder(home).resolve("clients").resolve(name);
            List<Path> files =
                    authority.writeBundle(authority.issueClient(name, Duration.ofDays(days)), name, folder, force);
            if (json) {
                ObjectNode node = JsonNodeFactory.instance.objectNode();
                node.put("name", name);
                ArrayNode written = node.putArray("files");
                files.forEach(f -> written.add(f.toAbsolutePath().toString()));
                terminal().json(node);
            } else {
                terminal().println("issued " + name + " (valid " + days + " days) in " + folder.toAbsolutePath());
                terminal().println("copy the three files to that machine, then there:");
                terminal().println("  PEERS_TCP_URL=tls://BROKER-HOST:PORT");
                terminal().println("  PEERS_TLS_CERT=.../" + files.get(0).getFileName());
                terminal().println("  PEERS_TLS_KEY=.../" + files.get(1).getFileName() + "   (keep it 0600)");
                terminal().println("  PEERS_TLS_CA=.../" + files.get(2).getFileName());
                terminal().println("  PEERS_TOKEN=(the broker's PEERS_HOME/token)");
            }
            return 0;
        }
    }
}
