package io.agentpeers.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This JVM's uid without {@code /proc}: the owner of a file it has just created. */
public final class CurrentUser {
    private CurrentUser() {}

    /** The effective uid of this process (the owner of the files it creates); any Unix. */
    public static int uid() {
        Path probe = null;
        try {
            probe = Files.createTempFile("peers-uid", ".probe");
            return ((Number) Files.getAttribute(probe, "unix:uid")).intValue();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell this process's uid: " + e.getMessage(), e);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException e) {
                    probe.toFile().deleteOnExit();
                }
            }
        }
    }
}
