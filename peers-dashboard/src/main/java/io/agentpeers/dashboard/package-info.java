/** The browser dashboard: a loopback HTTP face of the broker with a static page and live server-sent events. */
package io.agentpeers.dashboard;
