package io.astro.app.store;

/** A change of an app's desired state, recorded with the command that announces it. */
public record Change(App after, String action, String requestId, OutboxMessage message) {}
