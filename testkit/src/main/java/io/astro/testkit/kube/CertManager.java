package io.astro.testkit.kube;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cert-manager in the sandbox (docs/testkit-kube.md, cert-manager): off until {@link #install} adds
 * its CRD ({@code certificates.cert-manager.io}, served and validated by the proxy); then, with
 * {@link #ingressShim}, it acts as cert-manager's ingress-shim and an issuer that always succeeds
 * unless told otherwise: for every Ingress annotated {@code cert-manager.io/cluster-issuer} (or
 * {@code cert-manager.io/issuer}) each {@code tls} entry gets a Certificate named after its {@code
 * secretName} (owner reference to the Ingress), first pending, then {@code Ready=True}. {@link
 * #hold} keeps new Certificates pending, {@link #failIssuance} makes those of a DNS name fail as
 * cert-manager's issuing controller reports a failed issuance. No Secret is written and no
 * certificate exists: only the objects' state is simulated.
 */
public final class CertManager {

  static final String CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";
  static final String ISSUER_ANNOTATION = "cert-manager.io/issuer";

  /** How long a Certificate stays pending before the sandbox's issuer issues it. */
  static final Duration ISSUE_AFTER = Duration.ofMillis(300);

  private static final Duration RETRY_AFTER = Duration.ofMillis(100);

  /**
   * The longest a sync may take (a few requests of at most {@link MockStore#REQUEST_TIMEOUT} each):
   * a sync that never completed would hold its namespace's queue, and every later sync, for good.
   */
  private static final Duration SYNC_BOUND = Duration.ofSeconds(15);

  private static final Logger LOG = LoggerFactory.getLogger(CertManager.class);

  private final Vertx vertx;
  private final MockStore store;
  private final Consumer<Boolean> onInstall;
  private final Set<String> failing = ConcurrentHashMap.newKeySet();
  private final Map<String, Future<Void>> queues = new ConcurrentHashMap<>();

  /** Namespaces whose Ingresses were written: synced again when a switch changes. */
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();

  private volatile boolean installed;
  private volatile boolean shim;
  private volatile boolean held;

  CertManager(Vertx vertx, MockStore store, Consumer<Boolean> onInstall) {
    this.vertx = vertx;
    this.store = store;
    this.onInstall = onInstall;
  }

  /** Installs cert-manager's CRD: Certificates are served, listed in discovery and validated. */
  public CertManager install() {
    installed = true;
    onInstall.accept(true);
    return this;
  }

  /** Removes the CRD again (the stored Certificates stay in the mock, unreachable). */
  public CertManager uninstall() {
    installed = false;
    shim = false;
    onInstall.accept(false);
    return this;
  }

  public boolean installed() {
    return installed;
  }

  /**
   * Acts as cert-manager's ingress-shim and issuer (installs the CRD first if needed): Ingresses
   * with the issuer annotation get their Certificates, which are then issued.
   */
  public CertManager ingressShim(boolean on) {
    if (on && !installed) {
      install();
    }
    shim = on;
    return this;
  }

  /** Keeps Certificates pending ({@code Issuing=True}) until {@code hold(false)}. */
  public CertManager hold(boolean on) {
    held = on;
    resyncAll();
    return this;
  }

  /**
   * Certificates naming {@code dnsName} fail to issue from their next sync on: {@code Ready=False},
   * {@code Issuing=False} with reason {@code Failed}, {@code lastFailureTime} and {@code
   * failedIssuanceAttempts} set (cert-manager's issuing controller on a failed CertificateRequest).
   */
  public CertManager failIssuance(String dnsName) {
    failing.add(dnsName);
    resyncAll();
    return this;
  }

  /** No failures, nothing held; the CRD and the shim stay as they are. */
  public CertManager clearFailures() {
    failing.clear();
    held = false;
    resyncAll();
    return this;
  }

  private void resyncAll() {
    namespaces.forEach(this::enqueue);
  }

  /**
   * Brings the Certificates of {@code namespace} in line with its Ingresses now (after a change of
   * {@link #hold} or {@link #failIssuance}); completes once written.
   */
  public Future<Void> resync(String namespace) {
    return enqueue(namespace);
  }

  /** An Ingress of {@code namespace} was written or deleted. */
  void ingressChanged(String namespace) {
    namespaces.add(namespace);
    if (shim) {
      var unused = enqueue(namespace);
    }
  }

  // one namespace's syncs run one at a time, in order
  private Future<Void> enqueue(String namespace) {
    return queues.compute(
        namespace,
        (ns, tail) ->
            (tail == null ? Future.<Void>succeededFuture() : tail)
                .eventually(
                    () ->
                        attempt(ns)
                            .timeout(SYNC_BOUND.toMillis(), TimeUnit.MILLISECONDS)
                            .onFailure(
                                failure -> {
                                  if (failure instanceof TimeoutException) {
                                    LOG.warn(
                                        "cert-manager sync of {} did not finish in {}",
                                        ns,
                                        SYNC_BOUND);
                                  }
                                })
                            .recover(
                                failure -> {
                                  // e.g. a conflict with a write in between: again, from what
                                  // is stored then, as a controller's work queue would
                                  LOG.debug("cert-manager sync of {} failed", ns, failure);
                                  var unused =
                                      vertx.setTimer(
                                          RETRY_AFTER.toMillis(), t -> enqueue(namespace));
                                  return Future.succeededFuture();
                                })));
  }

  /**
   * One sync, failed rather than thrown: {@code eventually} completes with the previous sync's
   * result when its supplier throws, so a thrown sync would be dropped without a word and nothing
   * would queue the namespace again.
   */
  private Future<Void> attempt(String namespace) {
    try {
      return sync(namespace);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Void> sync(String namespace) {
    if (!shim) {
      return Future.succeededFuture();
    }
    String base =
        "/apis/"
            + DiscoveryDocuments.CERT_MANAGER_GROUP
            + "/v1/namespaces/"
            + namespace
            + "/certificates";
    return store
        .list("/apis/networking.k8s.io/v1/namespaces/" + namespace + "/ingresses")
        .compose(
            ingresses ->
                store
                    .list(base)
                    .compose(
                        certificates -> {
                          Map<String, JsonObject> have = new ConcurrentHashMap<>();
                          certificates.forEach(
                              c -> have.put(c.getJsonObject("metadata").getString("name"), c));
                          Map<String, JsonObject> want = new ConcurrentHashMap<>();
                          for (JsonObject ingress : ingresses) {
                            wanted(namespace, ingress, want);
                          }
                          Future<Void> done = Future.succeededFuture();
                          boolean pendingLeft = false;
                          for (Map.Entry<String, JsonObject> w : want.entrySet()) {
                            JsonObject old = have.get(w.getKey());
                            JsonObject next = withStatus(w.getValue(), old);
                            pendingLeft |= pending(next);
                            if (old == null) {
                              done = done.compose(v -> write(HttpMethod.POST, base, next));
                            } else if (!Objects.equals(old.getValue("spec"), next.getValue("spec"))
                                || !sameStatus(old, next)) {
                              next.getJsonObject("metadata")
                                  .put(
                                      "resourceVersion",
                                      old.getJsonObject("metadata").getString("resourceVersion"));
                              done =
                                  done.compose(
                                      v -> write(HttpMethod.PUT, base + "/" + w.getKey(), next));
                            }
                          }
                          for (Map.Entry<String, JsonObject> h : have.entrySet()) {
                            if (!want.containsKey(h.getKey()) && ownedByIngress(h.getValue())) {
                              // the Ingress or its tls entry is gone: the garbage collector (or
                              // ingress-shim's clean-up) removes the Certificate
                              done =
                                  done.compose(
                                      v -> write(HttpMethod.DELETE, base + "/" + h.getKey(), null));
                            }
                          }
                          if (pendingLeft && !held) {
                            // the issuer's work takes a moment: issued on the next sync
                            var unused =
                                vertx.setTimer(ISSUE_AFTER.toMillis(), t -> enqueue(namespace));
                          }
                          return done;
                        }));
  }

  private static boolean pending(JsonObject certificate) {
    return "DoesNotExist".equals(condition(certificate, "Ready").getString("reason"))
        && "True".equals(condition(certificate, "Issuing").getString("status"));
  }

  private Future<Void> write(HttpMethod method, String path, JsonObject body) {
    return store
        .send(method, path, body)
        .compose(
            answer ->
                answer.code() < 300 || (HttpMethod.DELETE.equals(method) && answer.code() == 404)
                    ? Future.<Void>succeededFuture()
                    : Future.<Void>failedFuture(
                        method + " " + path + " answered " + answer.code() + " " + answer.body()));
  }

  /** The Certificates ingress-shim wants for {@code ingress}, by name. */
  private static void wanted(String namespace, JsonObject ingress, Map<String, JsonObject> want) {
    JsonObject meta = ingress.getJsonObject("metadata", new JsonObject());
    JsonObject annotations = meta.getJsonObject("annotations", new JsonObject());
    String clusterIssuer = annotations.getString(CLUSTER_ISSUER_ANNOTATION);
    String issuer = annotations.getString(ISSUER_ANNOTATION);
    if (clusterIssuer == null && issuer == null) {
      return;
    }
    JsonArray tls = ingress.getJsonObject("spec", new JsonObject()).getJsonArray("tls");
    if (tls == null) {
      return;
    }
    for (Object entry : tls) {
      if (!(entry instanceof JsonObject t) || t.getString("secretName") == null) {
        continue;
      }
      String secretName = t.getString("secretName");
      want.put(
          secretName,
          new JsonObject()
              .put("apiVersion", DiscoveryDocuments.CERT_MANAGER_GROUP + "/v1")
              .put("kind", "Certificate")
              .put(
                  "metadata",
                  new JsonObject()
                      .put("name", secretName)
                      .put("namespace", namespace)
                      .put(
                          "ownerReferences",
                          new JsonArray()
                              .add(
                                  new JsonObject()
                                      .put("apiVersion", "networking.k8s.io/v1")
                                      .put("kind", "Ingress")
                                      .put("name", meta.getString("name"))
                                      .put("uid", meta.getString("uid"))
                                      .put("controller", true)
                                      .put("blockOwnerDeletion", true))))
              .put(
                  "spec",
                  new JsonObject()
                      .put("secretName", secretName)
                      .put("dnsNames", t.getJsonArray("hosts", new JsonArray()).copy())
                      .put(
                          "issuerRef",
                          new JsonObject()
                              .put("name", clusterIssuer != null ? clusterIssuer : issuer)
                              .put("kind", clusterIssuer != null ? "ClusterIssuer" : "Issuer")
                              .put("group", DiscoveryDocuments.CERT_MANAGER_GROUP))));
    }
  }

  private static boolean ownedByIngress(JsonObject certificate) {
    JsonArray owners =
        certificate.getJsonObject("metadata", new JsonObject()).getJsonArray("ownerReferences");
    return owners != null
        && owners.stream()
            .anyMatch(o -> o instanceof JsonObject j && "Ingress".equals(j.getString("kind")));
  }

  /**
   * The status cert-manager would give {@code next} now: a failing DNS name fails it; a new one (or
   * a changed or failed one) is pending, issuing; a pending one is issued unless held; an issued
   * one stays issued.
   */
  private JsonObject withStatus(JsonObject next, JsonObject old) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    Set<String> names = new HashSet<>();
    next.getJsonObject("spec").getJsonArray("dnsNames").forEach(n -> names.add(String.valueOf(n)));
    boolean specChanged =
        old == null || !Objects.equals(old.getValue("spec"), next.getValue("spec"));
    JsonObject status;
    if (names.stream().anyMatch(failing::contains)) {
      status =
          isFailed(old) && !specChanged
              ? old.getJsonObject("status")
              : new JsonObject()
                  .put(
                      "conditions",
                      new JsonArray()
                          .add(condition("Ready", "False", "DoesNotExist", NO_SECRET, now))
                          .add(
                              condition(
                                  "Issuing",
                                  "False",
                                  "Failed",
                                  "The certificate request has failed to complete and will be"
                                      + " retried: the sandbox's issuer was told to fail",
                                  now)))
                  .put("lastFailureTime", now)
                  .put("failedIssuanceAttempts", 1);
    } else if (specChanged || isFailed(old)) {
      status =
          new JsonObject()
              .put(
                  "conditions",
                  new JsonArray()
                      .add(condition("Ready", "False", "DoesNotExist", NO_SECRET, now))
                      .add(condition("Issuing", "True", "DoesNotExist", NO_SECRET, now)));
    } else if (!pending(old) || held) {
      status = old.getJsonObject("status");
    } else {
      status =
          new JsonObject()
              .put(
                  "conditions",
                  new JsonArray()
                      .add(
                          condition(
                              "Ready",
                              "True",
                              "Ready",
                              "Certificate is up to date and has not expired",
                              now)))
              .put("notBefore", now)
              .put("notAfter", Instant.parse(now).plus(Duration.ofDays(90)).toString())
              .put("revision", 1);
    }
    return next.put("status", status);
  }

  private static final String NO_SECRET = "Issuing certificate as Secret does not exist";

  private static boolean isFailed(JsonObject certificate) {
    return certificate != null
        && "Failed".equals(condition(certificate, "Issuing").getString("reason"));
  }

  private static boolean sameStatus(JsonObject a, JsonObject b) {
    return Objects.equals(a.getValue("status"), b.getValue("status"));
  }

  private static JsonObject condition(
      String type, String status, String reason, String message, String at) {
    return new JsonObject()
        .put("type", type)
        .put("status", status)
        .put("reason", reason)
        .put("message", message)
        .put("lastTransitionTime", at)
        .put("observedGeneration", 1);
  }

  private static JsonObject condition(JsonObject certificate, String type) {
    JsonArray conditions =
        certificate == null
            ? null
            : certificate.getJsonObject("status", new JsonObject()).getJsonArray("conditions");
    if (conditions != null) {
      for (Object c : conditions) {
        if (c instanceof JsonObject j && type.equals(j.getString("type"))) {
          return j;
        }
      }
    }
    return new JsonObject();
  }
}
