package io.agentpeers.transport.tcp.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agentpeers.core.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The authority's files on disk: modes, refusal to overwrite, and two inits at once. */
class TeamAuthorityFilesTest {
    private static final int RACERS = 4;

    @TempDir
    Path home;

    @Test
    void ofSeveralInitsAtOnceOneWinsAndItsKeyMatchesItsCertificate() throws Exception {
        Path folder = home.resolve("tls");
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<TeamAuthority>> racers = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                String team = "team" + i;
                racers.add(pool.submit(() -> {
                    start.await();
                    return TeamAuthority.create(folder, team, false);
                }));
            }
            start.countDown();
            List<TeamAuthority> won = new ArrayList<>();
            int refused = 0;
            for (Future<TeamAuthority> racer : racers) {
                try {
                    won.add(racer.get(60, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(
                            e.getCause() instanceof InvalidArgumentException,
                            e.getCause().toString());
                    refused++;
                }
            }
            assertEquals(1, won.size(), "exactly one init creates the authority");
            assertEquals(RACERS - 1, refused);
            TeamAuthority loaded = TeamAuthority.load(folder);
            assertEquals(won.get(0).certificate(), loaded.certificate(), "the winner's certificate is on disk");
            // The key on disk signs what the certificate on disk verifies: both are the winner's.
            TeamAuthority.Issued issued = loaded.issueClient("probe", java.time.Duration.ofDays(1));
            issued.certificate().verify(loaded.certificate().getPublicKey());
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(folder.resolve(TeamAuthority.KEY_FILE))));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSecondInitWithoutForceIsRefusedAndTheFirstStays() {
        Path folder = home.resolve("tls");
        TeamAuthority first = TeamAuthority.create(folder, "team", false);
        assertThrows(InvalidArgumentException.class, () -> TeamAuthority.create(folder, "other", false));
        assertEquals(first.certificate(), TeamAuthority.load(folder).certificate());
        TeamAuthority replaced = TeamAuthority.create(folder, "other", true);
        assertEquals(replaced.certificate(), TeamAuthority.load(folder).certificate());
    }
}
