#!/bin/sh
# kbackup: the operator CLI of the kbackup connectors (docs/cli.md). Needs only Java 17+ on the PATH.
# The rest of this file is the runnable jar.
exec java ${KBACKUP_JAVA_OPTS:-} -jar "$0" "$@"
