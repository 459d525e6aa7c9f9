package io.astro.bench.scenarios;

import io.astro.bench.Profile;
import io.astro.bench.Report;
import io.astro.bench.load.LoadGenerator;
import io.astro.bench.system.AstroSystem;
import io.astro.bench.system.Nginx;
import java.nio.file.Path;

/**
 * What every benchmark gets: the profile, the report, the running system (its services as child
 * JVMs), the load generator and — when installed — nginx in front of app-service.
 */
public record Context(
    Profile profile,
    Report report,
    AstroSystem system,
    LoadGenerator load,
    Nginx nginx,
    Path root,
    Path work) {}
