#!/bin/sh
# Starts a distributed Connect worker with the kbackup plugin. CONNECT_BOOTSTRAP_SERVERS names the Kafka cluster;
# CONNECT_GROUP_ID (default kbackup-connect) the Connect cluster.
set -eu
config=/opt/kafka/config/kbackup-connect.properties
runtime=/tmp/kbackup-connect.properties
sed -e "s#^bootstrap.servers=.*#bootstrap.servers=${CONNECT_BOOTSTRAP_SERVERS:?set CONNECT_BOOTSTRAP_SERVERS}#" \
    -e "s#^group.id=.*#group.id=${CONNECT_GROUP_ID:-kbackup-connect}#" "$config" > "$runtime"
exec /opt/kafka/bin/connect-distributed.sh "$runtime"
