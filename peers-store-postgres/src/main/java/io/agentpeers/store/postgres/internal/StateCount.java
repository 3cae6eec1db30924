package io.agentpeers.store.postgres.internal;

/** How many rows of a table are in one state. */
public record StateCount(String state, long count) {}
