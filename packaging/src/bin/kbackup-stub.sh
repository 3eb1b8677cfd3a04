#!/bin/sh
# kbackup: the operator CLI of the kbackup connectors (docs/cli.md). Needs only Java 17+ (JAVA_HOME or the PATH).
# The rest of this file is a jar with the CLI and the libraries the plugin archive lacks; the archive's own jars
# (beside this bin/ folder, or in lib/ for the Confluent Hub layout) provide the rest.
self=$0
while [ -h "$self" ] && command -v readlink >/dev/null 2>&1; do
  link=$(readlink "$self")
  case $link in
    /*) self=$link ;;
    *) self=${self%/*}/$link ;;
  esac
done
case $self in
  */*) here=${self%/*} ;;
  *) here=. ;;
esac
plugin=$(cd "$here/.." && pwd)
found=
for jar in "$plugin"/segment-format-*.jar "$plugin"/lib/segment-format-*.jar; do
  if [ -f "$jar" ]; then
    found=$jar
  fi
done
if [ -z "$found" ]; then
  echo "kbackup: found no segment-format jar in $plugin or $plugin/lib: run bin/kbackup inside the unpacked plugin" \
    "archive (a symlink to it works where readlink is on the PATH)" >&2
  exit 2
fi
java=java
if [ -n "${JAVA_HOME:-}" ]; then
  java=$JAVA_HOME/bin/java
fi
exec "$java" ${KBACKUP_JAVA_OPTS:-} -cp "$self:$plugin/*:$plugin/lib/*" dev.kbackup.cli.Kbackup "$@"
