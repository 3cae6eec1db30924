package io.agentpeers.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code peers help [COMMAND...]}: the usage of the command the words name, to any depth ({@code peers help
 * broker run}); picocli's own help command reads only the first word.
 */
@Command(
        name = "help",
        helpCommand = true,
        description = "Show the usage of a command, such as `peers help broker run`.")
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Callable<Integer> {
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and its subcommands.")
    List<String> words = new ArrayList<>();

    private CommandLine self;
    private Help.ColorScheme colours;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, Help.ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.colours = colorScheme;
        this.out = out;
    }

    @Override
    public Integer call() {
        CommandLine target = self.getParent();
        for (String word : words) {
            CommandLine sub = target.getSubcommands().get(word);
            if (sub == null) {
                throw new ParameterException(
                        self,
                        "`" + target.getCommandSpec().qualifiedName() + "` has no command '" + word + "'; `"
                                + target.getCommandSpec().qualifiedName() + " --help` lists them");
            }
            target = sub;
        }
        target.usage(out, colours);
        return 0;
    }
}
