#!/usr/bin/env bash
# The long-run catalog benchmark (issue 11): a synthetic backup of N partitions x D days of 5-second segments
# published through the catalog code against the filesystem store; prints figures at chosen days. See
# docs/performance.md, "Catalog over a backup's life".
#   benchmarks/catalog-longrun.sh [partitions=10] [days=90] [dir=/dev/shm/kbackup-catalog-bench] [days to report=1,30,90]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${NO_BUILD:-}" != "1" ]]; then
  mvn -B -q -DskipTests -pl benchmarks -am package
fi
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -Xms512m -Xmx512m -XX:+UseG1GC \
  -Dlog4j2.configurationFile="$PWD/benchmarks/log4j2.properties" \
  -cp "$classpath" dev.kbackup.bench.catalog.CatalogLongRun "$@"
