package io.agentpeers.core;

/**
 * What the network's one writer has committed since it started: {@code transactions} commits (each one
 * fsync under {@code synchronous=FULL}) holding {@code units} writes (sends, registrations, reads marked).
 * Two readings apart, their differences give the mean group size.
 */
public record WriterCounts(long transactions, long units) {}
