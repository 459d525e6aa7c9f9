package io.astro.sync.clusters;

import com.google.gson.reflect.TypeToken;
import io.astro.common.events.app.AppStatusEvent;
import io.astro.common.events.app.CertificateState;
import io.astro.common.kube.KubeNames;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * cert-manager's Certificates ({@code cert-manager.io/v1}, CRD {@code
 * certificates.cert-manager.io}) as the worker reads them: only those in user namespaces reach the
 * informer's cache, and of each only what its state needs (name, owner, secret, conditions). The
 * state of a host's certificate comes from the Certificate ingress-shim made for the host's TLS
 * Secret (it names the Certificate after the Secret): {@link #state}.
 */
public final class Certificates
    implements ListerWatcher<Certificates.Certificate, Certificates.CertificateList> {

  public static final String GROUP = "cert-manager.io";
  public static final String VERSION = "v1";
  public static final String PLURAL = "certificates";

  /** A condition reason as the event may carry it: a word, never a message. */
  private static final Pattern REASON = Pattern.compile("[A-Za-z][A-Za-z0-9]{0,63}");

  private final ApiClient client;
  private final CustomObjectsApi custom;

  Certificates(ApiClient watchClient) {
    this.client = watchClient;
    this.custom = new CustomObjectsApi(watchClient);
  }

  /** Whether the cache keeps this Certificate: one in a user namespace. */
  static boolean kept(Certificate certificate) {
    return certificate.getMetadata() != null
        && KubeNames.isUserNamespace(certificate.getMetadata().getNamespace());
  }

  /**
   * The state of {@code certificate} for {@code host} (null certificate: not made yet, pending):
   * condition {@code Ready=True} is issued; {@code Issuing=False} with reason {@code Failed}, or a
   * {@code status.lastFailureTime} while not ready, is failed (cert-manager's issuing controller on
   * a failed issuance; it retries with back-off); anything else is pending. The reason is the
   * condition's reason word (Issuing's when failed, else Ready's), never its message.
   */
  public static AppStatusEvent.Certificate state(String host, Certificate certificate) {
    if (certificate == null) {
      return new AppStatusEvent.Certificate(host, CertificateState.PENDING, null);
    }
    Condition ready = certificate.condition("Ready");
    Condition issuing = certificate.condition("Issuing");
    if (ready != null && "True".equals(ready.status)) {
      return new AppStatusEvent.Certificate(host, CertificateState.ISSUED, null);
    }
    boolean issuingFailed =
        issuing != null && "False".equals(issuing.status) && "Failed".equals(issuing.reason);
    boolean lastFailed = certificate.status != null && certificate.status.lastFailureTime != null;
    if (issuingFailed || lastFailed) {
      return new AppStatusEvent.Certificate(
          host, CertificateState.FAILED, word(issuingFailed ? issuing.reason : "Failed"));
    }
    return new AppStatusEvent.Certificate(
        host, CertificateState.PENDING, ready == null ? null : word(ready.reason));
  }

  private static String word(String reason) {
    return reason != null && REASON.matcher(reason).matches() ? reason : null;
  }

  @Override
  public CertificateList list(CallGeneratorParams p) throws ApiException {
    CertificateList list =
        client
            .<CertificateList>execute(
                custom
                    .listClusterCustomObject(GROUP, VERSION, PLURAL)
                    .resourceVersion(p.resourceVersion)
                    .timeoutSeconds(p.timeoutSeconds)
                    .buildCall(null),
                CertificateList.class)
            .getData();
    list.items = list.items == null ? new ArrayList<>() : new ArrayList<>(list.items);
    list.items.removeIf(c -> !kept(c));
    return list;
  }

  @Override
  public Watchable<Certificate> watch(CallGeneratorParams p) throws ApiException {
    Watch<Certificate> watch =
        Watch.createWatch(
            client,
            custom
                .listClusterCustomObject(GROUP, VERSION, PLURAL)
                .resourceVersion(p.resourceVersion)
                .watch(true)
                .timeoutSeconds(p.timeoutSeconds)
                .buildCall(null),
            new TypeToken<Watch.Response<Certificate>>() {}.getType());
    return new FilteredWatch<>(watch, Certificates::kept);
  }

  /** A cert-manager Certificate, the fields the worker reads (JSON names as the API's). */
  public static final class Certificate implements KubernetesObject {
    private String apiVersion;
    private String kind;
    private V1ObjectMeta metadata;
    private Spec spec;
    private Status status;

    @Override
    public V1ObjectMeta getMetadata() {
      return metadata;
    }

    @Override
    public String getApiVersion() {
      return apiVersion;
    }

    @Override
    public String getKind() {
      return kind;
    }

    /** The Secret it fills ({@code spec.secretName}), or null. */
    public String secretName() {
      return spec == null ? null : spec.secretName;
    }

    Condition condition(String type) {
      if (status == null || status.conditions == null) {
        return null;
      }
      for (Condition c : status.conditions) {
        if (type.equals(c.type)) {
          return c;
        }
      }
      return null;
    }
  }

  static final class Spec {
    String secretName;
    List<String> dnsNames;
  }

  static final class Status {
    List<Condition> conditions;
    String lastFailureTime;
  }

  static final class Condition {
    String type;
    String status;
    String reason;
  }

  /** A list of Certificates. */
  public static final class CertificateList implements KubernetesListObject {
    private String apiVersion;
    private String kind;
    private V1ListMeta metadata;
    private List<Certificate> items;

    @Override
    public V1ListMeta getMetadata() {
      return metadata;
    }

    @Override
    public List<Certificate> getItems() {
      return items;
    }

    @Override
    public String getApiVersion() {
      return apiVersion;
    }

    @Override
    public String getKind() {
      return kind;
    }
  }
}
