/** Internals of the PostgreSQL store (rows, DAOs, schema migrations, the transaction); not an API, may change in any release. */
package io.agentpeers.store.postgres.internal;
