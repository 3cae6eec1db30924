package io.agentpeers.core;

import java.time.Duration;

/** Durations in words a person reads at a glance: "24 hours", "7 days", "90 seconds". */
public final class Durations {
    private Durations() {}

    /** The duration in the largest whole unit that fits: {@code 86400 s} is "1 day", {@code 90 s} "90 seconds". */
    public static String describe(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 86_400 == 0 && seconds > 0) {
            return plural(seconds / 86_400, "day");
        }
        if (seconds % 3_600 == 0 && seconds > 0) {
            return plural(seconds / 3_600, "hour");
        }
        if (seconds % 60 == 0 && seconds > 0) {
            return plural(seconds / 60, "minute");
        }
        return plural(seconds, "second");
    }

    private static String plural(long count, String unit) {
        return count + " " + unit + (count == 1 ? "" : "s");
    }
}
