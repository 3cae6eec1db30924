/** The {@link io.agentpeers.core.port.PeerStore} on a PostgreSQL database, through Jdbi. */
package io.agentpeers.store.postgres;
