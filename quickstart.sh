#!/usr/bin/env bash
# kbackup quickstart: a local Kafka broker, a Connect worker with the kbackup plugin and an S3 server, then a
# backup of demo topics and a point-in-time restore into renamed topics, verified record by record.
#
#   ./quickstart.sh [--storage s3|filesystem] [--rebuild]   start the stack and run the demo (the stack stays up)
#   ./quickstart.sh status                                  what is running, and the connectors' states
#   ./quickstart.sh stop                                    stop exactly the processes this script started
#
# Everything lives in .quickstart/ (logs in .quickstart/logs/). Nothing needs Docker or a Kafka download: the
# broker, the worker and S3Proxy run from Maven jars. Ports can be changed with KBACKUP_KAFKA_PORT (9092),
# KBACKUP_CONTROLLER_PORT (9093), KBACKUP_CONNECT_PORT (8083), KBACKUP_S3_PORT (9000) and KBACKUP_METRICS_PORT (9404,
# the worker's Prometheus JMX exporter).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
QS="$ROOT/.quickstart"
RUN="$QS/run"
LOGS="$QS/logs"
KAFKA_PORT="${KBACKUP_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KBACKUP_CONTROLLER_PORT:-9093}"
CONNECT_PORT="${KBACKUP_CONNECT_PORT:-8083}"
S3_PORT="${KBACKUP_S3_PORT:-9000}"
METRICS_PORT="${KBACKUP_METRICS_PORT:-9404}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
CONNECT="http://127.0.0.1:$CONNECT_PORT"
S3_BUCKET="kbackup-demo"
S3_ACCESS_KEY="quickstart-access-key"
S3_SECRET_KEY="quickstart-secret-key"
BACKUP_ID="demo"
PROCESSES="connect broker s3proxy"   # stop order
BYTES_CONVERTER="org.apache.kafka.connect.converters.ByteArrayConverter"

STORAGE="s3"
REBUILD=0
COMMAND="start"

say() { printf '%s\n' "$*"; }
step() { printf '\n==> %s\n' "$*"; }
fail() {
  printf '\nERROR: %s\n' "$*" >&2
  if [ "$COMMAND" = "start" ] && ls "$RUN"/*.pid >/dev/null 2>&1; then
    printf 'Quickstart processes are still running (./quickstart.sh status); ./quickstart.sh stop stops them.\n' >&2
  fi
  exit 1
}

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      start|stop|status) COMMAND="$1" ;;
      --storage) [ $# -ge 2 ] || fail "--storage needs a value: s3 or filesystem"; STORAGE="$2"; shift ;;
      --storage=*) STORAGE="${1#--storage=}" ;;
      --rebuild) REBUILD=1 ;;
      -h|--help|help) usage 0 ;;
      *) printf 'Unknown argument: %s\n\n' "$1" >&2; usage 2 ;;
    esac
    shift
  done
  case "$STORAGE" in s3|filesystem) ;; *) fail "--storage must be s3 or filesystem, not '$STORAGE'" ;; esac
}

# ---------------------------------------------------------------------------------------------------- processes

# True if the pid file names a live process that this quickstart started (its command line carries our marker).
is_ours() {
  local pidfile="$RUN/$1.pid" pid
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  command_line "$pid" | grep -q -- "-Dkbackup.quickstart=$QS "
}

command_line() {
  if [ -r "/proc/$1/cmdline" ]; then tr '\0' ' ' < "/proc/$1/cmdline"; else ps -ww -p "$1" -o args= 2>/dev/null; fi
}

start_java() { # name heap classpath main args... (JAVA_AGENT=... start_java ... adds -javaagent:$JAVA_AGENT)
  local name="$1" heap="$2" classpath="$3" main="$4"
  shift 4
  nohup "$JAVA" "-Xmx$heap" -XX:+UseG1GC "-Dkbackup.quickstart=$QS" ${JAVA_AGENT:+"-javaagent:$JAVA_AGENT"} \
    "-Dlog4j2.configurationFile=file:$QS/log4j2.properties" -cp "$classpath" "$main" "$@" \
    > "$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

stop_stack() {
  local stopped=0 name pid
  for name in $PROCESSES; do
    if is_ours "$name"; then
      pid="$(cat "$RUN/$name.pid")"
      say "Stopping $name (pid $pid)"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      if kill -0 "$pid" 2>/dev/null; then
        say "  $name did not stop within 30 s: killing it"
        kill -9 "$pid" 2>/dev/null || true
      fi
      stopped=$((stopped + 1))
    fi
    rm -f "$RUN/$name.pid"
  done
  if [ "$stopped" -eq 0 ]; then say "Nothing to stop: no quickstart process is running."; else say "Stopped."; fi
}

show_status() {
  local name any=0
  for name in $PROCESSES; do
    if is_ours "$name"; then say "$name: running (pid $(cat "$RUN/$name.pid"))"; any=1; else say "$name: not running"; fi
  done
  if [ "$any" -eq 1 ] && command -v curl >/dev/null && curl -sf "$CONNECT/connectors" >/dev/null 2>&1; then
    for name in demo-backup demo-restore; do
      say "$name: $(curl -s "$CONNECT/connectors/$name/status" | tr -d '\n' | cut -c1-300)"
    done
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # what seconds pidname command...
  local what="$1" seconds="$2" name="$3"
  shift 3
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    if ! is_ours "$name"; then
      tail -n 40 "$LOGS/$name.log" >&2 || true
      fail "$what: the $name process exited (log above, full log in $LOGS/$name.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 40 "$LOGS/$name.log" >&2 || true
      fail "$what: not ready after $seconds s (log above, full log in $LOGS/$name.log)"
    fi
    sleep 0.5
  done
}

# ------------------------------------------------------------------------------------------------ prerequisites

find_java() {
  JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  command -v "$JAVA" >/dev/null 2>&1 || fail "Java is not installed (no 'java' on PATH and no JAVA_HOME).
  kbackup needs Java 17 or later, e.g.: sudo apt-get install openjdk-17-jdk-headless"
  local version major
  version="$("$JAVA" -version 2>&1 | head -n 1)"
  major="$(printf '%s' "$version" | sed -E 's/.*version "([0-9]+)(\.[0-9]+)*.*/\1/')"
  case "$major" in ''|*[!0-9]*) fail "Could not read the Java version from: $version" ;; esac
  [ "$major" -ge 17 ] || fail "Java $major found ($JAVA), but kbackup needs Java 17 or later."
  command -v curl >/dev/null 2>&1 || fail "curl is needed to talk to the Connect REST API: sudo apt-get install curl"
}

classpath_ok() { # every jar of a classpath file exists (the local Maven repository may have been cleaned)
  [ -s "$1" ] || return 1
  local entry
  while IFS= read -r -d ':' entry; do [ -e "$entry" ] || return 1; done < <(tr -d '\n' < "$1"; printf ':')
}

build_outputs() {
  TARBALL="$(ls "$ROOT"/packaging/target/kbackup-*.tar.gz 2>/dev/null | head -n 1 || true)"
  QS_JAR="$(ls "$ROOT"/quickstart/target/quickstart-*.jar 2>/dev/null | head -n 1 || true)"
  KAFKA_CP_FILE="$ROOT/quickstart/target/classpath/kafka.txt"
  TOOLS_CP_FILE="$ROOT/quickstart/target/classpath/tools.txt"
  METRICS_AGENT="$ROOT/quickstart/target/jmx-exporter/jmx_prometheus_javaagent.jar"
  METRICS_RULES="$ROOT/packaging/monitoring/kbackup-jmx-exporter.yaml"
  [ -n "$TARBALL" ] && [ -n "$QS_JAR" ] && classpath_ok "$KAFKA_CP_FILE" && classpath_ok "$TOOLS_CP_FILE" \
    && [ -e "$METRICS_AGENT" ]
}

ensure_build() {
  if [ "$REBUILD" -eq 0 ] && build_outputs; then
    say "Using the existing build: $(basename "$TARBALL") (./quickstart.sh --rebuild to build again)"
    return
  fi
  command -v mvn >/dev/null 2>&1 || fail "Maven is not installed, and the plugin has not been built yet.
  Install Maven 3.8 or later (e.g. sudo apt-get install maven), then run ./quickstart.sh again."
  step "Building the plugin and the quickstart tools (first run only): mvn -B -q -DskipTests package -pl packaging -am"
  local started=$SECONDS
  (cd "$ROOT" && mvn -B -q -DskipTests package -pl packaging -am) || fail "The build failed (output above)."
  build_outputs || fail "The build did not produce packaging/target/kbackup-*.tar.gz and quickstart/target/classpath/"
  say "Built in $((SECONDS - started)) s"
}

check_ports() {
  local spec port label
  for spec in "$KAFKA_PORT:Kafka broker:KBACKUP_KAFKA_PORT" "$CONTROLLER_PORT:KRaft controller:KBACKUP_CONTROLLER_PORT" \
              "$CONNECT_PORT:Connect REST API:KBACKUP_CONNECT_PORT" "$S3_PORT:S3Proxy:KBACKUP_S3_PORT" \
              "$METRICS_PORT:Prometheus metrics:KBACKUP_METRICS_PORT"; do
    port="${spec%%:*}"; label="${spec#*:}"
    [ "$STORAGE" = "filesystem" ] && [ "$port" = "$S3_PORT" ] && continue
    if port_in_use "$port"; then
      fail "Port $port (${label%%:*}) is already in use by another process.
  Stop that process, or pick another port, e.g.: ${label#*:}=$((port + 10000)) ./quickstart.sh"
    fi
  done
}

# ------------------------------------------------------------------------------------------------------- config

write_configs() {
  cat > "$QS/log4j2.properties" <<EOF
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
logger.raft.name = org.apache.kafka.raft
logger.raft.level = WARN
logger.jetty.name = org.eclipse.jetty
logger.jetty.level = WARN
EOF
  cat > "$QS/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$QS/kafka/data
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  cat > "$QS/connect/connect-distributed.properties" <<EOF
bootstrap.servers=$BOOTSTRAP
group.id=kbackup-quickstart
config.storage.topic=_connect-configs
offset.storage.topic=_connect-offsets
status.storage.topic=_connect-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.storage.partitions=5
status.storage.partitions=1
key.converter=$BYTES_CONVERTER
value.converter=$BYTES_CONVERTER
header.converter=$BYTES_CONVERTER
plugin.path=$QS/plugins
plugin.discovery=service_load
connector.client.config.override.policy=All
exactly.once.source.support=enabled
offset.flush.interval.ms=2000
listeners=http://127.0.0.1:$CONNECT_PORT
rest.advertised.host.name=127.0.0.1
EOF
  cat > "$QS/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem-nio2
jclouds.identity=$S3_ACCESS_KEY
jclouds.credential=$S3_SECRET_KEY
jclouds.filesystem.basedir=$QS/s3
EOF
  # The storage settings both connectors share, also read by the quickstart tools.
  if [ "$STORAGE" = "s3" ]; then
    cat > "$QS/storage.properties" <<EOF
backup.id=$BACKUP_ID
storage.type=s3
storage.prefix=quickstart
s3.bucket=$S3_BUCKET
s3.endpoint=http://127.0.0.1:$S3_PORT
s3.path.style.access=true
s3.region=us-east-1
s3.access.key.id=$S3_ACCESS_KEY
s3.secret.access.key=$S3_SECRET_KEY
EOF
  else
    cat > "$QS/storage.properties" <<EOF
backup.id=$BACKUP_ID
storage.type=filesystem
storage.prefix=quickstart
filesystem.path=$QS/backups
EOF
  fi
  printf 'orders.count=4000\n' > "$QS/demo.properties"
}

# The storage settings as JSON members, for the connector configs.
storage_json() {
  grep -v '^#' "$QS/storage.properties" | sed -E 's/^([^=]+)=(.*)$/    "\1": "\2",/'
}

demo_value() { sed -n "s/^$1=//p" "$QS/demo.properties" | sed 's/\\:/:/g' | head -n 1; }

put_connector() { # name json-file
  local response
  response="$(curl -s -w '\n%{http_code}' -X PUT -H 'Content-Type: application/json' \
    --data @"$2" "$CONNECT/connectors/$1/config")"
  case "$(printf '%s' "$response" | tail -n 1)" in
    200|201) ;;
    *) fail "Connect refused connector $1: $(printf '%s' "$response" | sed '$d')" ;;
  esac
}

tools() { "$JAVA" -Xmx512m -cp "$TOOLS_CP:$QS_JAR" -Dlog4j2.configurationFile="file:$QS/log4j2-tools.properties" \
  dev.kbackup.quickstart.QuickstartTool "$@"; }

# -------------------------------------------------------------------------------------------------------- start

start_stack() {
  local name
  for name in $PROCESSES; do
    is_ours "$name" && fail "The quickstart is already running ($name has pid $(cat "$RUN/$name.pid")).
  Explore it (see ./quickstart.sh status), or stop it first: ./quickstart.sh stop"
  done
  find_java
  ensure_build
  check_ports
  local started=$SECONDS

  step "Preparing $QS (storage: $STORAGE)"
  rm -rf "$QS/kafka" "$QS/connect" "$QS/plugins" "$QS/s3" "$QS/backups" "$QS/state" "$LOGS" "$RUN"
  mkdir -p "$QS/kafka/data" "$QS/connect" "$QS/plugins" "$QS/s3/$S3_BUCKET" "$QS/state" "$LOGS" "$RUN"
  tar -xzf "$TARBALL" -C "$QS/plugins"
  say "Plugin installed: $QS/plugins/$(ls "$QS/plugins")"
  KAFKA_CP="$(tr -d '\n' < "$KAFKA_CP_FILE")"
  TOOLS_CP="$(tr -d '\n' < "$TOOLS_CP_FILE")"
  write_configs
  printf 'rootLogger.level = WARN\nappender.out.type = Console\nappender.out.name = OUT\nappender.out.layout.type = PatternLayout\nappender.out.layout.pattern = %%p %%m%%n\nrootLogger.appenderRef.out.ref = OUT\n' \
    > "$QS/log4j2-tools.properties"

  step "Starting a KRaft broker on $BOOTSTRAP$([ "$STORAGE" = s3 ] && printf ' and S3Proxy on http://127.0.0.1:%s' "$S3_PORT")"
  local cluster_id
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  "$JAVA" -Xmx256m "-Dlog4j2.configurationFile=file:$QS/log4j2.properties" -cp "$KAFKA_CP" kafka.tools.StorageTool \
    format --standalone -t "$cluster_id" -c "$QS/kafka/server.properties" > "$LOGS/storage-format.log" 2>&1 \
    || { cat "$LOGS/storage-format.log" >&2; fail "Formatting the broker's log directory failed"; }
  start_java broker 768m "$KAFKA_CP" kafka.Kafka "$QS/kafka/server.properties"
  if [ "$STORAGE" = "s3" ]; then
    start_java s3proxy 256m "$TOOLS_CP" org.gaul.s3proxy.Main --properties "$QS/s3proxy.properties"
  fi
  wait_for "The broker" 60 broker port_in_use "$KAFKA_PORT"
  say "Broker up (pid $(cat "$RUN/broker.pid"))"

  step "Starting a distributed Connect worker (REST on $CONNECT) and producing demo data meanwhile"
  JAVA_AGENT="$METRICS_AGENT=127.0.0.1:$METRICS_PORT:$METRICS_RULES" \
    start_java connect 1g "$KAFKA_CP" org.apache.kafka.connect.cli.ConnectDistributed \
    "$QS/connect/connect-distributed.properties"
  tools produce "$BOOTSTRAP" "$QS/demo.properties" || fail "Producing the demo data failed"
  if [ "$STORAGE" = "s3" ]; then
    wait_for "S3Proxy" 60 s3proxy port_in_use "$S3_PORT"
    say "S3Proxy up (pid $(cat "$RUN/s3proxy.pid")), bucket $S3_BUCKET in $QS/s3/"
  fi
  wait_for "The Connect worker" 120 connect plugins_listed
  say "Connect worker up (pid $(cat "$RUN/connect.pid")) with both kbackup connectors:"
  curl -s "$CONNECT/connector-plugins?connectorsOnly=true" | tr '{' '\n' | grep kbackup | sed -E 's/.*"class":"([^"]+)".*"version":"([^"]+)".*/  \1 \2/'

  step "Backing up 'orders' and 'payments' (connector demo-backup)"
  cat > "$QS/backup.json" <<EOF
{
    "connector.class": "dev.kbackup.sink.BackupSinkConnector",
    "tasks.max": "2",
    "topics": "orders,payments",
    "key.converter": "$BYTES_CONVERTER",
    "value.converter": "$BYTES_CONVERTER",
    "header.converter": "$BYTES_CONVERTER",
    "consumer.override.isolation.level": "read_committed",
$(storage_json)
    "segment.max.interval.ms": "2000",
    "state.sync.interval.ms": "2000",
    "state.dir": "$QS/state",
    "cluster.bootstrap.servers": "$BOOTSTRAP"
}
EOF
  put_connector demo-backup "$QS/backup.json"
  tools await-backup "$QS/storage.properties" "$QS/demo.properties" 120 || fail "The backup did not catch up.
  Look at: curl -s $CONNECT/connectors/demo-backup/status and $LOGS/connect.log"

  local window_start window_end mapping
  window_start="$(demo_value window.start)"
  window_end="$(demo_value window.end)"
  mapping="$(demo_value topic.mapping)"
  step "Restoring the window $window_start .. $window_end into orders-restored and payments-restored (connector demo-restore)"
  cat > "$QS/restore.json" <<EOF
{
    "connector.class": "dev.kbackup.restore.RestoreSourceConnector",
    "tasks.max": "2",
    "key.converter": "$BYTES_CONVERTER",
    "value.converter": "$BYTES_CONVERTER",
    "header.converter": "$BYTES_CONVERTER",
$(storage_json)
    "topics": "orders,payments",
    "topic.mapping": "$mapping",
    "restore.time.start": "$window_start",
    "restore.time.end": "$window_end",
    "restore.create.topics": "true",
    "cluster.bootstrap.servers": "$BOOTSTRAP"
}
EOF
  put_connector demo-restore "$QS/restore.json"
  local verified=0
  tools verify "$BOOTSTRAP" "$QS/storage.properties" "$QS/demo.properties" 120 || verified=$?

  say ""
  say "Stack ready in $((SECONDS - started)) s and still running. Things to try:"
  say "  curl -s $CONNECT/connectors?expand=status | jq            # both connectors and their tasks"
  say "  curl -s $CONNECT/connector-plugins | jq                   # the installed plugins"
  say "  curl -s http://127.0.0.1:$METRICS_PORT/metrics | grep '^kbackup_'   # Prometheus metrics (docs/monitoring.md)"
  say "  cat $QS/backup.json $QS/restore.json   # the connector configs that were posted"
  if [ "$STORAGE" = "s3" ]; then
    say "  find $QS/s3/$S3_BUCKET/quickstart/$BACKUP_ID | head -20   # the backup's objects (S3Proxy keeps them as files)"
  else
    say "  find $QS/backups/quickstart/$BACKUP_ID | head -20        # the backup's objects"
  fi
  say "  curl -s -X PUT -H 'Content-Type: application/json' --data @$QS/restore.json \\"
  say "       $CONNECT/connector-plugins/dev.kbackup.restore.RestoreSourceConnector/config/validate | jq '.error_count'"
  say "  tail -f $LOGS/connect.log                                # the worker's log"
  say "  ./quickstart.sh status                                   # the processes and connector states"
  say "  ./quickstart.sh stop                                     # stops exactly the processes started here"
  [ "$verified" -eq 0 ] || fail "The restored records did not match the originals (details above)."
}

plugins_listed() {
  curl -sf "$CONNECT/connector-plugins?connectorsOnly=true" 2>/dev/null | grep -q 'dev.kbackup.restore.RestoreSourceConnector'
}

parse_args "$@"
case "$COMMAND" in
  start) start_stack ;;
  stop) stop_stack ;;
  status) show_status ;;
esac
