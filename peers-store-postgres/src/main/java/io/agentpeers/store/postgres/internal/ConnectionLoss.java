package io.agentpeers.store.postgres.internal;

import java.sql.SQLException;

/** Whether a failure means the connection to the server is gone, rather than a statement failed. */
public final class ConnectionLoss {
    private ConnectionLoss() {}

    /**
     * True for SQL states of class 08 (connection exception: the socket broke, the server went away)
     * and 57P01 to 57P03 (the server is shutting down, crashed, or cannot accept connections yet),
     * anywhere in the chain of causes.
     */
    public static boolean isConnectionLoss(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && lostState(sql.getSQLState())) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static boolean lostState(String state) {
        return state != null
                && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"));
    }
}
