#!/usr/bin/env bash
# Creates Astro's Kafka topics (docs/architecture.md) before any service starts; safe to run again.
# The services never create topics, and a broker's auto-creation would make astro.app.commands a plain
# topic, while the sync-worker rebuilds every app's desired state from it: it must be compacted.
#
# Used by docker-compose.yml (service kafka-init) and by the Job in k8s/base/infra, both on the
# apache/kafka image. Settings:
#   BOOTSTRAP_SERVERS   default kafka:9092
#   REPLICATION_FACTOR  default 1 (one broker); use 3 with three brokers
#   WAIT_SECONDS        how long to wait for the broker, default 120
set -euo pipefail

BOOTSTRAP="${BOOTSTRAP_SERVERS:-kafka:9092}"
RF="${REPLICATION_FACTOR:-1}"
WAIT="${WAIT_SECONDS:-120}"
BIN="${KAFKA_BIN:-/opt/kafka/bin}"
# the tools log to the console; keep kafka-run-class.sh from creating a log directory on a read-only image
export LOG_DIR="${LOG_DIR:-/tmp/kafka-logs}"

echo "waiting for Kafka at $BOOTSTRAP (up to ${WAIT}s)"
deadline=$((SECONDS + WAIT))
until "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --list >/dev/null 2>&1; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Kafka at $BOOTSTRAP did not answer within ${WAIT}s" >&2
    exit 1
  fi
  sleep 2
done

# topic partitions [compact]
topic() {
  local name="$1" partitions="$2" policy="${3:-delete}"
  "$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor "$RF" \
    --config "cleanup.policy=$policy"
  # --if-not-exists leaves an existing topic as it is: set the policy again, so a topic that the broker
  # auto-created before this ran becomes compacted too
  "$BIN/kafka-configs.sh" --bootstrap-server "$BOOTSTRAP" --entity-type topics --entity-name "$name" \
    --alter --add-config "cleanup.policy=$policy" >/dev/null
}

# name                  partitions  cleanup.policy
topic astro.app.commands     3      compact
topic astro.app.status       3
topic astro.clusters         1      compact
topic astro.cluster.status   1
topic astro.users            3
topic astro.audit            3
topic astro.app.commands.dlq   1
topic astro.app.status.dlq     1
topic astro.clusters.dlq       1
topic astro.cluster.status.dlq 1
topic astro.users.dlq          1
topic astro.audit.dlq          1

"$BIN/kafka-topics.sh" --bootstrap-server "$BOOTSTRAP" --describe --topics-with-overrides
echo "Astro topics ready"
