package io.astro.testkit.kube;

/** Kubeconfig documents as a cluster admin would hand them to Astro. */
final class Kubeconfigs {

  private Kubeconfigs() {}

  /**
   * One cluster (with its CA, base64 PEM), one user with a bearer token, one context (current),
   * default namespace {@code default}.
   */
  static String withToken(String name, String server, String caBase64, String token) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            certificate-authority-data: %4$s
        users:
        - name: %1$s-admin
          user:
            token: %3$s
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s-admin
            namespace: default
        current-context: %1$s
        preferences: {}
        """
        .formatted(name, server, token, caBase64);
  }
}
