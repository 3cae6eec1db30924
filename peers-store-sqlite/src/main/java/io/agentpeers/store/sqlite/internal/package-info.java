/** Internals of the SQLite store (rows, DAOs, schema migrations, the transaction); not an API, may change in any release. */
package io.agentpeers.store.sqlite.internal;
