/** The {@link io.agentpeers.core.port.PeerStore} on one SQLite file (or a private in-memory database), through Jdbi. */
package io.agentpeers.store.sqlite;
