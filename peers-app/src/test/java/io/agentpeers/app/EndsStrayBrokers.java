package io.agentpeers.app;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ends every {@code peers broker run} process whose {@code PEERS_HOME} lies in one of the test's
 * {@link TempDir} folders, after each test, whatever its outcome: a broker started detached (by
 * {@code peers broker start} or an MCP server that found none) outlives the process that started it,
 * and would outlive the test run. Only this test's folders, so tests in other JVMs keep their brokers.
 */
public final class EndsStrayBrokers implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<ProcessHandle> strays = BrokerProcesses.under(tempDirs(context.getRequiredTestInstance()));
        for (ProcessHandle stray : strays) {
            System.err.println("[EndsStrayBrokers] " + context.getDisplayName() + " left broker pid " + stray.pid()
                    + " running; ending it");
            stray.destroy();
        }
        for (ProcessHandle stray : strays) {
            try {
                stray.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                stray.destroyForcibly();
            }
        }
    }

    private static List<Path> tempDirs(Object test) throws IllegalAccessException {
        List<Path> folders = new ArrayList<>();
        for (Class<?> type = test.getClass(); type != null; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.isAnnotationPresent(TempDir.class) && field.getType() == Path.class) {
                    field.setAccessible(true);
                    Path folder = (Path) field.get(test);
                    if (folder != null) {
                        folders.add(folder.toAbsolutePath());
                    }
                }
            }
        }
        return folders;
    }
}
