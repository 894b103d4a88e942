#!/usr/bin/env bash
# Runs Brook's Java vector tool: bash tests/vectors/java/run.sh IN.jsonl OUT.jsonl
# or another of its classes: bash tests/vectors/java/run.sh RecordFixtures write DIR
# Builds it first when needed (downloads kafka-clients 4.1.1, or the release BROOK_VECTORS_KAFKA names,
# and Jackson from Maven Central into ~/.m2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kafka=${BROOK_VECTORS_KAFKA:-4.1.1}
target="$here/target"
[ "$kafka" = 4.1.1 ] || target="$here/target/kafka-$kafka"
# A first argument naming a class runs that class (e.g. RecordFixtures write DIR); else the vector tool.
if [ ! -f "$target/classes/VectorTool.class" ] || [ -n "$(find "$here/src" -newer "$target/classes/VectorTool.class")" ]; then
  mkdir -p "$target/classes"
  (cd "$here" && mvn -q -B dependency:copy-dependencies -Dkafka.version="$kafka" -DoutputDirectory="$target/libs" >&2)
  # RecordFixtures uses record classes that later releases moved: other releases build the vector tool only.
  sources=("$here"/src/*.java)
  [ "$kafka" = 4.1.1 ] || sources=("$here/src/VectorTool.java")
  javac -nowarn -d "$target/classes" -cp "$target/libs/*" "${sources[@]}"
fi
main=VectorTool
case "${1:-}" in [A-Z]*) main=$1; shift ;; esac
exec java -Xmx512m -XX:+UseSerialGC -cp "$target/classes:$target/libs/*" "$main" "$@"
