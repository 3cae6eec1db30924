/** The peers domain: peers, messages, scopes, the rules between them and the use cases that apply them. */
package io.agentpeers.core;
