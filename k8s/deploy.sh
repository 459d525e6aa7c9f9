#!/usr/bin/env bash
# Astro on Kubernetes: a thin wrapper around kubectl and its built-in kustomize.
#
#   k8s/deploy.sh [-o dev|prod] [-y] secrets          create the Secrets that are missing (random values)
#   k8s/deploy.sh [-o dev|prod] [-y] deploy           pre-flight checks, apply the overlay, wait for rollouts
#   k8s/deploy.sh [-o dev|prod] status                what runs, what is ready
#   k8s/deploy.sh logs <service> [-f] [--tail N]      logs of every pod of a service, prefixed by pod
#   k8s/deploy.sh [-o dev|prod] [-y] cleanup [--purge]
#                                                     remove Astro; --purge also its namespace, Secrets and volumes
#   k8s/deploy.sh [-o dev|prod] render                print the manifests the overlay renders
#
# Options: -o overlay (default dev; or ASTRO_OVERLAY), -y do not ask before changing a cluster.
# Environment: KUBECTL (default kubectl), ASTRO_ROLLOUT_TIMEOUT (default 300s).
# Details and traps: docs/deploy.md.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
NAMESPACE="astro-system"
KUBECTL="${KUBECTL:-kubectl}"
OVERLAY="${ASTRO_OVERLAY:-dev}"
ASSUME_YES=false
TIMEOUT="${ASTRO_ROLLOUT_TIMEOUT:-300s}"
SERVICES=(gateway-service user-service app-service sync-worker)

if [ -t 1 ]; then
  BOLD=$'\e[1m'; RED=$'\e[31m'; GREEN=$'\e[32m'; YELLOW=$'\e[33m'; RESET=$'\e[0m'
else
  BOLD=""; RED=""; GREEN=""; YELLOW=""; RESET=""
fi
step() { echo "${BOLD}==> $*${RESET}"; }
ok() { echo "  ${GREEN}ok${RESET}   $*"; }
warn() { echo "  ${YELLOW}warn${RESET} $*" >&2; }
die() { echo "  ${RED}fail${RESET} $*" >&2; exit 1; }

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

kc() { "$KUBECTL" "$@"; }

# Secrets each overlay needs (names and keys: k8s/secrets/astro-secrets.template.yaml)
required_secrets() {
  local common=(astro-db-users astro-db-apps astro-jwt astro-internal-token astro-kubeconfig-keys)
  if [ "$OVERLAY" = "dev" ]; then echo "${common[@]}" astro-mysql; else echo "${common[@]}"; fi
}

overlay_dir() {
  local dir="$HERE/overlays/$OVERLAY"
  [ -f "$dir/kustomization.yaml" ] || die "no overlay '$OVERLAY' (have: dev, prod)"
  echo "$dir"
}

confirm() {
  $ASSUME_YES && return 0
  if [ ! -t 0 ]; then die "$1 — not asking without a terminal: pass -y"; fi
  read -r -p "  $1 [y/N] " answer
  [ "$answer" = "y" ] || [ "$answer" = "Y" ] || die "stopped"
}

preflight() {
  step "pre-flight checks (overlay $OVERLAY)"
  command -v "$KUBECTL" >/dev/null 2>&1 || die "$KUBECTL not found (install kubectl 1.27+, which has kustomize built in)"
  ok "kubectl: $("$KUBECTL" version --client 2>/dev/null | head -1)"

  local rendered
  rendered="$(kc kustomize "$(overlay_dir)")" || die "kustomize cannot render overlays/$OVERLAY"
  local images unpinned
  images="$(grep -E '^ +(- )?image: ' <<<"$rendered" | sed 's/.*image: *//; s/"//g' | sort -u)"
  unpinned="$(grep -Ev '@sha256:|:[A-Za-z0-9._-]+$' <<<"$images" || true)$(grep -E ':latest$' <<<"$images" || true)"
  [ -z "$unpinned" ] || die "images without a pinned tag in overlays/$OVERLAY: $(tr '\n' ' ' <<<"$unpinned")"
  ok "overlays/$OVERLAY renders ($(grep -c '^kind:' <<<"$rendered") objects, every image tag pinned)"

  local context
  context="$(kc config current-context 2>/dev/null)" || die "no current kubectl context (kubectl config use-context …)"
  kc get --raw=/readyz --request-timeout=10s >/dev/null 2>&1 || die "the API server of context '$context' does not answer"
  ok "cluster answers: context '$context', server $(kc version -o json --request-timeout=10s 2>/dev/null \
    | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | tail -1)"

  for verb in "create clusterroles.rbac.authorization.k8s.io" "create namespaces" "create deployments.apps -n $NAMESPACE"; do
    # shellcheck disable=SC2086
    [ "$(kc auth can-i $verb 2>/dev/null)" = "yes" ] || die "your account may not '$verb' (the sync-worker's ClusterRole needs cluster-admin to install)"
  done
  ok "permissions: may create the ClusterRole, the namespace and the workloads"

  if [ "$OVERLAY" = "prod" ]; then
    for crd in kafkas.kafka.strimzi.io kafkanodepools.kafka.strimzi.io kafkatopics.kafka.strimzi.io \
      servicemonitors.monitoring.coreos.com; do
      kc get crd "$crd" >/dev/null 2>&1 || die "CRD $crd missing: install the Strimzi operator and the Prometheus Operator first"
    done
    ok "CRDs present: Strimzi (Kafka, KafkaNodePool, KafkaTopic), Prometheus Operator (ServiceMonitor)"
    if grep -q 'astro-mysql.example.internal' "$HERE/overlays/prod/external-mysql.yaml"; then
      die "overlays/prod/external-mysql.yaml still points at astro-mysql.example.internal: set your MySQL server"
    fi
    grep -q 'registry.example.com' "$HERE/overlays/prod/kustomization.yaml" \
      && warn "overlays/prod/kustomization.yaml still names registry.example.com: set your registry"
  fi

  local missing=()
  for secret in $(required_secrets); do
    kc -n "$NAMESPACE" get secret "$secret" >/dev/null 2>&1 || missing+=("$secret")
  done
  [ ${#missing[@]} -eq 0 ] || die "Secrets missing in $NAMESPACE: ${missing[*]} — run: k8s/deploy.sh -o $OVERLAY secrets"
  ok "Secrets present: $(required_secrets)"
  kc -n "$NAMESPACE" get secret astro-admin >/dev/null 2>&1 \
    || warn "no Secret astro-admin: no operator account is created (optional)"
}

random_hex() { openssl rand -hex 24; }

create_secret() {
  local name="$1"; shift
  if kc -n "$NAMESPACE" get secret "$name" >/dev/null 2>&1; then
    ok "$name exists (left as it is)"
    return
  fi
  kc -n "$NAMESPACE" create secret generic "$name" "$@" >/dev/null
  kc -n "$NAMESPACE" label secret "$name" app.kubernetes.io/part-of=astro >/dev/null
  ok "$name created"
}

cmd_secrets() {
  step "Secrets in $NAMESPACE (context $(kc config current-context 2>/dev/null || echo '?'))"
  command -v openssl >/dev/null 2>&1 || die "openssl is needed to generate values"
  confirm "create the missing Secrets with random values?"
  kc get namespace "$NAMESPACE" >/dev/null 2>&1 || kc apply -f "$HERE/base/namespace.yaml" >/dev/null
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  create_secret astro-db-users --from-literal=password="$(random_hex)"
  create_secret astro-db-apps --from-literal=password="$(random_hex)"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/private.pem" 2>/dev/null
  openssl pkey -in "$tmp/private.pem" -pubout -out "$tmp/public.pem" 2>/dev/null
  create_secret astro-jwt --from-file=private.pem="$tmp/private.pem" --from-file=public.pem="$tmp/public.pem"
  create_secret astro-internal-token --from-literal=token="$(random_hex)"
  create_secret astro-kubeconfig-keys --from-literal=keys="k1:$(openssl rand -base64 32)"
  if [ "$OVERLAY" = "dev" ]; then
    create_secret astro-mysql --from-literal=root-password="$(random_hex)"
    local admin_password
    admin_password="$(random_hex)"
    if ! kc -n "$NAMESPACE" get secret astro-admin >/dev/null 2>&1; then
      create_secret astro-admin --from-literal=username=admin --from-literal=password="$admin_password"
      echo "  operator account: admin / $admin_password (also in Secret astro-admin)"
    fi
  else
    echo "  prod: the MySQL users astro_users / astro_apps must have the passwords now in astro-db-users /"
    echo "  astro-db-apps (kubectl -n $NAMESPACE get secret astro-db-users -o jsonpath='{.data.password}' | base64 -d);"
    echo "  an operator account: kubectl -n $NAMESPACE create secret generic astro-admin --from-literal=username=… --from-literal=password=…"
  fi
}

wait_rollouts() {
  step "waiting for rollouts (timeout $TIMEOUT each)"
  local failed=false
  if [ "$OVERLAY" = "dev" ]; then
    for sts in mysql kafka; do
      if kc -n "$NAMESPACE" rollout status "statefulset/$sts" --timeout="$TIMEOUT" >/dev/null; then
        ok "statefulset/$sts ready"
      else
        warn "statefulset/$sts not ready"; failed=true
      fi
    done
    if kc -n "$NAMESPACE" wait --for=condition=complete job/kafka-topics --timeout="$TIMEOUT" >/dev/null 2>&1; then
      ok "job/kafka-topics complete"
    else
      warn "job/kafka-topics not complete: k8s/deploy.sh logs kafka-topics"; failed=true
    fi
  fi
  for svc in "${SERVICES[@]}"; do
    if kc -n "$NAMESPACE" rollout status "deployment/$svc" --timeout="$TIMEOUT" >/dev/null; then
      ok "deployment/$svc ready"
    else
      warn "deployment/$svc not ready: k8s/deploy.sh logs $svc"; failed=true
    fi
  done
  $failed && die "some parts are not ready (k8s/deploy.sh status)"
  return 0
}

cmd_deploy() {
  preflight
  confirm "apply overlays/$OVERLAY to context '$(kc config current-context)'?"
  step "applying overlays/$OVERLAY"
  if [ "$OVERLAY" = "dev" ]; then
    # a Job's template cannot change in place; the topics script is idempotent, so it simply runs again
    kc -n "$NAMESPACE" delete job kafka-topics --ignore-not-found >/dev/null
  fi
  kc apply -k "$(overlay_dir)" | sed 's/^/  /'
  wait_rollouts
  step "done"
  echo "  gateway: kubectl -n $NAMESPACE port-forward svc/gateway-service 8080:8080, then the README's curl walkthrough"
}

cmd_status() {
  command -v "$KUBECTL" >/dev/null 2>&1 || die "$KUBECTL not found"
  step "Astro in $NAMESPACE (context $(kc config current-context 2>/dev/null || echo '?'))"
  kc get namespace "$NAMESPACE" >/dev/null 2>&1 || die "namespace $NAMESPACE does not exist: not deployed"
  kc -n "$NAMESPACE" get deployments,statefulsets,jobs -l app.kubernetes.io/part-of=astro -o wide 2>/dev/null | sed 's/^/  /'
  echo
  kc -n "$NAMESPACE" get pods -l app.kubernetes.io/part-of=astro -o wide | sed 's/^/  /'
  echo
  kc -n "$NAMESPACE" get hpa,pdb -l app.kubernetes.io/part-of=astro 2>/dev/null | sed 's/^/  /'
  echo
  step "readiness"
  local all_ready=true
  for svc in "${SERVICES[@]}"; do
    local want ready
    want="$(kc -n "$NAMESPACE" get deployment "$svc" -o jsonpath='{.status.replicas}' 2>/dev/null || true)"
    ready="$(kc -n "$NAMESPACE" get deployment "$svc" -o jsonpath='{.status.readyReplicas}' 2>/dev/null || true)"
    if [ -n "$want" ] && [ "${ready:-0}" = "$want" ]; then ok "$svc ${ready}/${want} ready"
    else warn "$svc ${ready:-0}/${want:-0} ready"; all_ready=false; fi
  done
  $all_ready || echo "  (a pod that is not ready says why: k8s/deploy.sh logs <service>; kubectl -n $NAMESPACE describe pod …)"
}

cmd_logs() {
  local service="${1:-}"; shift || true
  [ -n "$service" ] || die "which service? one of: ${SERVICES[*]} mysql kafka kafka-topics"
  case "$service" in
    gateway) service=gateway-service ;;
    user) service=user-service ;;
    app) service=app-service ;;
    sync) service=sync-worker ;;
  esac
  case " ${SERVICES[*]} mysql kafka kafka-topics " in
    *" $service "*) ;;
    *) die "unknown service '$service': one of ${SERVICES[*]} mysql kafka kafka-topics" ;;
  esac
  local follow=() tail=200
  while [ $# -gt 0 ]; do
    case "$1" in
      -f|--follow) follow=(--follow) ;;
      --tail) tail="${2:?--tail needs a number}"; shift ;;
      *) die "unknown option for logs: $1" ;;
    esac
    shift
  done
  kc -n "$NAMESPACE" get pods -l "app.kubernetes.io/name=$service" -o name 2>/dev/null | grep -q . \
    || die "no pods of $service in $NAMESPACE"
  kc -n "$NAMESPACE" logs -l "app.kubernetes.io/name=$service" --all-containers --prefix \
    --tail="$tail" --max-log-requests=20 "${follow[@]}"
}

cmd_cleanup() {
  local purge=false
  [ "${1:-}" = "--purge" ] && purge=true
  command -v "$KUBECTL" >/dev/null 2>&1 || die "$KUBECTL not found"
  local context
  context="$(kc config current-context)"
  if $purge; then
    confirm "delete Astro AND namespace $NAMESPACE with its Secrets and volumes (data) in '$context'?"
    step "deleting overlays/$OVERLAY with namespace $NAMESPACE"
    kc delete -k "$(overlay_dir)" --ignore-not-found --wait=true | sed 's/^/  /'
  else
    confirm "delete Astro's workloads in '$context' (Secrets and volumes stay)?"
    step "deleting Astro's objects (label app.kubernetes.io/part-of=astro), keeping Secrets, volumes and the namespace"
    local kinds="deployments,statefulsets,jobs,services,configmaps,horizontalpodautoscalers,poddisruptionbudgets,networkpolicies,serviceaccounts"
    [ "$OVERLAY" = "prod" ] && kinds="$kinds,kafkatopics.kafka.strimzi.io,kafkas.kafka.strimzi.io,kafkanodepools.kafka.strimzi.io,servicemonitors.monitoring.coreos.com"
    kc -n "$NAMESPACE" delete "$kinds" -l app.kubernetes.io/part-of=astro --ignore-not-found | sed 's/^/  /'
    kc delete validatingadmissionpolicybindings,validatingadmissionpolicies,clusterrolebindings,clusterroles -l app.kubernetes.io/part-of=astro --ignore-not-found | sed 's/^/  /'
  fi
  local tenants
  tenants="$(kc get namespaces -o name 2>/dev/null | grep -c '^namespace/astro-user-' || true)"
  [ "$tenants" = "0" ] || warn "$tenants user namespaces (astro-user-*) with users' apps are left as they are"
  step "done"
}

while [ $# -gt 0 ]; do
  case "$1" in
    -o|--overlay) OVERLAY="${2:?-o needs dev or prod}"; shift 2 ;;
    -y|--yes) ASSUME_YES=true; shift ;;
    -h|--help|help) usage ;;
    -*) die "unknown option $1" ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
command="$1"; shift
case "$command" in
  deploy) cmd_deploy ;;
  status) cmd_status ;;
  logs) cmd_logs "$@" ;;
  cleanup) cmd_cleanup "$@" ;;
  secrets) cmd_secrets ;;
  render) kc kustomize "$(overlay_dir)" ;;
  *) usage ;;
esac
