package io.astro.common.kubernetes;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.JSON;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Date;

/**
 * The Gson the Kubernetes client reads and writes every object with (a static of its {@link JSON},
 * shared by every client of the process), made without the client's per-model adapters.
 *
 * <p>The client registers an adapter factory for each model: each adapter reads an object through a
 * JSON tree checked for the model's required fields, and the first read of every type loads the
 * models of all factories before it. What is left here is what the models' own annotations ask for
 * ({@code @SerializedName}, the quantity and int-or-string adapters), the client's adapters for
 * dates and bytes (base64), and its {@link JSON#createGson()}: the same JSON in and out, read in
 * one pass. The sync-worker's cluster clients and the test kit's control planes install it
 * (docs/sync-worker.md, "One pass over the Kubernetes client's JSON").
 */
public final class KubeJson {

  // the client's own timestamp format: RFC 3339, microseconds when there are any
  private static final DateTimeFormatter RFC3339_MICRO =
      new DateTimeFormatterBuilder()
          .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
          .append(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss"))
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 6, 6, true)
          .optionalEnd()
          .appendLiteral("Z")
          .toFormatter();

  private static final Gson GSON =
      JSON.createGson()
          .registerTypeAdapter(Date.class, new JSON.DateTypeAdapter())
          .registerTypeAdapter(java.sql.Date.class, new JSON.SqlDateTypeAdapter())
          .registerTypeAdapter(
              OffsetDateTime.class, new JSON.OffsetDateTimeTypeAdapter(RFC3339_MICRO))
          .registerTypeAdapter(LocalDate.class, new JSON.LocalDateTypeAdapter())
          .registerTypeAdapter(byte[].class, new JSON.ByteArrayAdapter())
          .create();

  private KubeJson() {}

  /** This Gson, for code that decodes with it whether or not it is installed. */
  public static Gson gson() {
    return GSON;
  }

  /** Makes this the Gson of every Kubernetes client in the process; idempotent. */
  public static void install() {
    if (JSON.getGson() != GSON) {
      JSON.setGson(GSON);
    }
  }
}
