package io.agentpeers.cli;

import io.agentpeers.core.Urgency;
import picocli.CommandLine.Option;

/** {@code --urgency}, for the commands that send ({@code send}, {@code ask}): the wire's words. */
final class UrgencyOption {
    @Option(
            names = "--urgency",
            paramLabel = "URGENCY",
            defaultValue = "normal",
            description = "interrupt (wake them now), normal or fyi (never wakes them).")
    String value;

    /** The urgency asked for; an unknown word is refused with the allowed ones. */
    Urgency urgency() {
        return Urgency.fromWireName(value);
    }
}
