package io.agentpeers.store.postgres.internal;

import java.util.List;

/** One step of the schema: the statements that take a database from {@code version - 1} to {@code version}. */
public record Migration(int version, String description, List<String> statements) {
    public Migration {
        statements = List.copyOf(statements);
    }
}
