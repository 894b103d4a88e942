#!/usr/bin/env bash
# Installs Apache Kafka, its tools and kafka-clients from Maven Central on first use (into
# ${BROOK_CACHE:-~/.cache/brook}/kafka-VERSION/libs) and prints that folder. VERSION is
# ${BROOK_KAFKA_VERSION:-4.1.1} (4.4.0 is the newest release Brook compares with).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=${BROOK_KAFKA_VERSION:-4.1.1}
case "$version" in
  [0-9]*.[0-9]*.[0-9]*) ;;
  *) echo "BROOK_KAFKA_VERSION must look like 4.4.0, not $version" >&2; exit 2 ;;
esac
libs="${BROOK_CACHE:-$HOME/.cache/brook}/kafka-$version/libs"
# A folder installed before the tools were added gets them too.
if [ ! -f "$libs/.complete" ] || [ ! -f "$libs/kafka-tools-$version.jar" ]; then
  (cd "$here" && mvn -q -B dependency:copy-dependencies -Dkafka.version="$version" -DoutputDirectory="$libs" >&2)
  touch "$libs/.complete"
fi
echo "$libs"
