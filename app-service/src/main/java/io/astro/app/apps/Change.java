package io.astro.app.apps;

import io.astro.app.outbox.OutboxMessage;

/** A change of an app's desired state, recorded with the command that announces it. */
public record Change(App after, String action, String requestId, OutboxMessage message) {}
