#!/usr/bin/env bash
# Runs the kbackup benchmarks in one go: JMH codec figures, then a KRaft broker and a Connect worker (each its own
# JVM) with S3Proxy, the null-sink and producer ceilings, backup and restore, and the 1,000-partition run.
#   benchmarks/run.sh [--quick] [--size-mb N] [--tasks N] [--skip codec,backup,restore,scale] [--jfr] [--help]
# Writes benchmarks/results/results.json (or --out FILE; its "ratios" are the headline CPU and throughput ratios) and
# prints the table. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ " $* " != *" --no-build "* ]]; then
  mvn -B -q -DskipTests -pl benchmarks -am package
fi
args=()
for arg in "$@"; do
  [[ "$arg" == "--no-build" ]] || args+=("$arg")
done

classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -Xms2g -Xmx2g -XX:+UseG1GC \
  -Dlog4j2.configurationFile="$PWD/benchmarks/log4j2.properties" \
  -cp "$classpath" dev.kbackup.bench.run.BenchmarkRun "${args[@]+"${args[@]}"}"
