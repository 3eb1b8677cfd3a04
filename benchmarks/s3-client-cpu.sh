#!/usr/bin/env bash
# CPU of the S3 client per GB uploaded and downloaded (issue 14): S3ObjectStore against S3Proxy in the same JVM,
# counting the client's threads only. See docs/performance.md, "Findings in connector code".
#   benchmarks/s3-client-cpu.sh [total MiB per round=512] [segment MiB=64] [rounds=3] [S3Proxy dir=/dev/shm/...]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${NO_BUILD:-}" != "1" ]]; then
  mvn -B -q -o -DskipTests -pl benchmarks -am package
fi
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -Xms1g -Xmx1g -XX:+UseG1GC \
  -Dlog4j2.configurationFile="$PWD/benchmarks/log4j2.properties" \
  -cp "$classpath" dev.kbackup.bench.storage.S3ClientCpu "$@"
