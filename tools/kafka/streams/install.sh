#!/usr/bin/env bash
# Installs Kafka Streams 4.4.0 and its dependencies from Maven Central on first use (into
# ${BROOK_CACHE:-~/.cache/brook}/kafka-streams-4.4.0/libs) and prints that folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
libs="${BROOK_CACHE:-$HOME/.cache/brook}/kafka-streams-4.4.0/libs"
if [ ! -f "$libs/.complete" ]; then
  (cd "$here" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$libs" >&2)
  touch "$libs/.complete"
fi
echo "$libs"
