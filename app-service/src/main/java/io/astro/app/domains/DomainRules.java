package io.astro.app.domains;

import io.astro.common.http.ApiException;
import io.astro.common.http.ErrorCode;
import io.astro.common.http.FieldErrors;
import io.astro.common.kube.KubeNames;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * What a custom domain may be: a host name an Ingress rule accepts (lowercased, a trailing dot
 * dropped), not a wildcard, and not under Astro's own apps domain, whose names are the apps' public
 * URLs.
 */
public final class DomainRules {

  private final String appsDomain;

  /** {@code appsDomain}: Astro's apps domain, null when the operator set none. */
  public DomainRules(String appsDomain) {
    this.appsDomain = appsDomain;
  }

  /** The domain of a {@code {"domain": ...}} body: 400 when malformed, 422 when refused. */
  public String domain(JsonObject body) {
    FieldErrors errors = FieldErrors.acceptingOnly(body, "domain");
    Object value = body.getValue("domain");
    if (!(value instanceof String text) || text.isBlank()) {
      errors.add("domain", "is required: a host name such as www.example.org");
      errors.throwIfAny();
      throw errors.toException();
    }
    errors.throwIfAny();
    return domain(text);
  }

  /** A domain as a path segment or a body field names it, checked and in canonical form. */
  public String domain(String text) {
    String name = text.trim().toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.startsWith("*") || name.contains("*")) {
      throw refused("wildcard domains are not accepted: add each name on its own");
    }
    if (name.length() > KubeNames.MAX_HOST || !KubeNames.HOST.matcher(name).matches()) {
      new FieldErrors()
          .add(
              "domain",
              "must be a host name of at least two labels (letters, digits, hyphens), at most "
                  + KubeNames.MAX_HOST
                  + " characters, such as www.example.org")
          .throwIfAny();
    }
    if (appsDomain != null && (name.equals(appsDomain) || name.endsWith("." + appsDomain))) {
      throw refused(
          "names under " + appsDomain + " are Astro's own; every app already has one there");
    }
    return name;
  }

  private static ApiException refused(String message) {
    return new ApiException(
        ErrorCode.UNPROCESSABLE, "domain: " + message, new JsonObject().put("field", "domain"));
  }
}
