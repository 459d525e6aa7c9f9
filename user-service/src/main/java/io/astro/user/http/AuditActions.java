package io.astro.user.http;

import io.astro.common.db.audit.AuditTrail;
import io.vertx.core.http.HttpMethod;

/**
 * What user-service writes into the audit trail: registrations and logins (failed ones too, without
 * an actor), every change of one's own account and personal tokens, the operators' changes of
 * accounts and their reading of the accounts list.
 */
public final class AuditActions {

  private static final String ADMIN_USER = "/api/v1/admin/users/(?<id>[^/]+)";

  private AuditActions() {}

  public static AuditTrail declare(AuditTrail trail) {
    return trail
        .anonymous(HttpMethod.POST, "/api/v1/register", "user.register", "user", "username")
        .anonymous(HttpMethod.POST, "/api/v1/login", "user.login", "user", "username", "email")
        .onSelf(HttpMethod.PATCH, "/api/v1/users/me", "user.email.change")
        .onSelf(HttpMethod.DELETE, "/api/v1/users/me", "user.delete")
        .onSelf(HttpMethod.POST, "/api/v1/users/me/password", "user.password.change")
        .on(HttpMethod.POST, "/api/v1/users/me/tokens", "token.create", "token", "name")
        .on(HttpMethod.DELETE, "/api/v1/users/me/tokens/(?<id>[^/]+)", "token.revoke", "token")
        .on(HttpMethod.POST, ADMIN_USER + "/disable", "user.disable", "user")
        .on(HttpMethod.POST, ADMIN_USER + "/enable", "user.enable", "user")
        .adminRead("/api/v1/admin/users", "admin.users.list", "user");
  }
}
