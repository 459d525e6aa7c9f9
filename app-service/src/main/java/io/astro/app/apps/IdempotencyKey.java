package io.astro.app.apps;

/** A client's {@code Idempotency-Key} and the hash of the normalized request it came with. */
public record IdempotencyKey(String key, String requestHash) {}
