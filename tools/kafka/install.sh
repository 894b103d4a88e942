#!/usr/bin/env bash
# Installs Apache Kafka 4.1.1 and kafka-clients from Maven Central on first use (into
# ${BROOK_CACHE:-~/.cache/brook}/kafka-4.1.1/libs) and prints that folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
libs="${BROOK_CACHE:-$HOME/.cache/brook}/kafka-4.1.1/libs"
if [ ! -f "$libs/.complete" ]; then
  (cd "$here" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$libs" >&2)
  touch "$libs/.complete"
fi
echo "$libs"
