package io.agentpeers.dashboard;

import io.agentpeers.core.InvalidArgumentException;

/** The dashboard cannot listen on the port asked for (taken, or not allowed). */
public final class DashboardPortException extends InvalidArgumentException {
    public DashboardPortException(String message) {
        super(message);
    }
}
