package io.astro.app.quota;

import io.astro.common.config.ConfigException;
import io.astro.common.config.Env;
import io.astro.common.events.app.AppCommand;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The sizes users pick for an app (docs/apps.md, Sizes). {@code ASTRO_APP_SIZES} lists {@code
 * name=cpu/memory} limits; memory request = limit, CPU request = limit × {@code
 * ASTRO_APP_CPU_REQUEST_FRACTION}. {@value #STANDARD} is always there: the operator's container
 * settings, which apps created before sizes existed keep.
 */
public final class AppSizes {

  public static final String STANDARD = "standard";
  public static final String DEFAULT_SIZES =
      "nano=100m/128Mi,small=250m/256Mi,medium=500m/512Mi,large=1/1Gi,xlarge=2/2Gi";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");

  private final Map<String, AppCommand.Resources> sizes;

  private AppSizes(Map<String, AppCommand.Resources> sizes) {
    this.sizes = sizes;
  }

  public static AppSizes from(Env env) {
    Map<String, AppCommand.Resources> sizes = new LinkedHashMap<>();
    String requestCpu = env.string("ASTRO_CONTAINER_REQUEST_CPU", "100m");
    String requestMemory = env.string("ASTRO_CONTAINER_REQUEST_MEMORY", "128Mi");
    String limitCpu = env.string("ASTRO_CONTAINER_LIMIT_CPU", "500m");
    String limitMemory = env.string("ASTRO_CONTAINER_LIMIT_MEMORY", "512Mi");
    Quantities.millicores("ASTRO_CONTAINER_REQUEST_CPU", requestCpu);
    Quantities.millicores("ASTRO_CONTAINER_LIMIT_CPU", limitCpu);
    Quantities.bytes("ASTRO_CONTAINER_REQUEST_MEMORY", requestMemory);
    Quantities.bytes("ASTRO_CONTAINER_LIMIT_MEMORY", limitMemory);
    sizes.put(
        STANDARD,
        new AppCommand.Resources(STANDARD, requestCpu, limitCpu, requestMemory, limitMemory));
    String fractionText = env.string("ASTRO_APP_CPU_REQUEST_FRACTION", "0.25");
    double fraction;
    try {
      fraction = Double.parseDouble(fractionText);
    } catch (NumberFormatException e) {
      fraction = -1;
    }
    if (!(fraction > 0 && fraction <= 1)) {
      throw new ConfigException(
          "ASTRO_APP_CPU_REQUEST_FRACTION must be a number above 0 and at most 1, got '"
              + fractionText
              + "'");
    }
    for (String entry : env.string("ASTRO_APP_SIZES", DEFAULT_SIZES).split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] parts = entry.trim().split("[=/]");
      if (parts.length != 3 || !NAME.matcher(parts[0]).matches()) {
        throw new ConfigException(
            "ASTRO_APP_SIZES must be name=cpu/memory entries separated by commas (e.g. "
                + DEFAULT_SIZES
                + "), got '"
                + entry.trim()
                + "'");
      }
      long cpu = Quantities.millicores("ASTRO_APP_SIZES " + parts[0], parts[1]);
      Quantities.bytes("ASTRO_APP_SIZES " + parts[0], parts[2]);
      long request = Math.max(1, Math.round(cpu * fraction));
      if (sizes.put(
              parts[0],
              new AppCommand.Resources(
                  parts[0], Quantities.cpu(request), parts[1], parts[2], parts[2]))
          != null) {
        throw new ConfigException("ASTRO_APP_SIZES names " + parts[0] + " twice");
      }
    }
    return new AppSizes(sizes);
  }

  /** The size of this name, if there is one. */
  public Optional<AppCommand.Resources> size(String name) {
    return Optional.ofNullable(sizes.get(name));
  }

  public AppCommand.Resources standard() {
    return sizes.get(STANDARD);
  }

  public List<String> names() {
    return List.copyOf(sizes.keySet());
  }
}
