package io.agentpeers.store.postgres.internal;

/** A recipient's unread messages in one read: how many, the newest id, the newest id that is not fyi (0: none). */
public record UnreadTotals(int count, long newest, long newestWaking) {}
