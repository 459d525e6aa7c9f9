#!/usr/bin/env bash
# Astro benchmarks (see bench/README.md).
#   bench/run.sh [--smoke] [--only 1,2,...] [--scale CLUSTERSxAPPS] [--results FILE] [--baseline CHECKOUT]
# Builds what is needed, installs nginx from Debian's packages when it is missing, runs the benchmarks and writes
# bench/RESULTS.md (--smoke: bench/target/work-smoke/RESULTS.md). BENCH_SKIP_BUILD=1 uses the jars as they are.
# BENCH_JFR=<service>,... records those services with JFR; the name bench records this JVM (the sandbox) too.
# --baseline names another checkout, built: benchmark 6 restarts its services in turn with this one's.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

install_nginx() {
  if [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "bench: nginx is not installed and cannot be installed here; its rows will be missing" >&2
    return
  fi
  echo "bench: installing nginx (Debian package) ..."
  # keep the package from starting a system nginx on port 80: the benchmark runs its own
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
  fi
  (apt-get install -y -q nginx >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q nginx >/dev/null; }) \
    || echo "bench: nginx could not be installed; its rows will be missing" >&2
  if [ -n "$made_policy" ]; then rm -f "$policy"; fi
}

install_nginx
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  # package, not install: the reactor hands the modules to each other; the local Maven repository stays as it is
  echo "bench: building (./mvnw -q package -DskipTests -pl bench -am) ..."
  ./mvnw -B -ntp -q -o package -DskipTests -pl bench -am
fi
# run a copy: a build during the run rewrites target/astro-bench.jar in place, and a JVM whose jar changes under it
# fails on the next class it loads
RUN_JAR="$ROOT/bench/target/run/astro-bench.jar"
mkdir -p "$(dirname "$RUN_JAR")"
cp "$ROOT/bench/target/astro-bench.jar" "$RUN_JAR.tmp" && mv "$RUN_JAR.tmp" "$RUN_JAR"
# BENCH_JFR=bench (beside the services' names) records this JVM too, which hosts the sandbox clusters and their
# simulators: bench/target/bench.jfr, written when the run ends
JFR_FLAGS=()
if [[ ",${BENCH_JFR:-}," == *",bench,"* ]]; then
  JFR_FLAGS=(-XX:StartFlightRecording=settings=profile,filename="$ROOT/bench/target/bench.jfr")
fi
exec java "${JFR_FLAGS[@]}" -Dastro.root="$ROOT" -jar "$RUN_JAR" "$@"
