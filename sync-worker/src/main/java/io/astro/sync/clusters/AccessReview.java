package io.astro.sync.clusters;

import io.astro.common.kube.ClusterRights;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SelfSubjectAccessReviewSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the API server whether the worker's credentials hold rights (SelfSubjectAccessReview,
 * authorization.k8s.io/v1), whatever RBAC objects or other authorizers grant them.
 */
public final class AccessReview {

  private AccessReview() {}

  /** Whether {@code right} is granted. */
  public static boolean allowed(ApiClient client, ClusterRights.Right right) throws ApiException {
    V1SelfSubjectAccessReview review =
        new AuthorizationV1Api(client)
            .createSelfSubjectAccessReview(
                new V1SelfSubjectAccessReview()
                    .spec(
                        new V1SelfSubjectAccessReviewSpec()
                            .resourceAttributes(
                                new V1ResourceAttributes()
                                    .verb(right.verb())
                                    .group(right.group())
                                    .resource(right.resource())
                                    .namespace(right.reviewNamespace()))))
            .execute();
    return review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed());
  }

  /**
   * The rights of {@code rights} not granted, as {@link ClusterRights.Right#describe()} names them.
   */
  public static List<String> missing(ApiClient client, List<ClusterRights.Right> rights)
      throws ApiException {
    List<String> missing = new ArrayList<>();
    for (ClusterRights.Right right : rights) {
      if (!allowed(client, right)) {
        missing.add(right.describe());
      }
    }
    return missing;
  }
}
