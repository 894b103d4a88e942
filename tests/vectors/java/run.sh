#!/usr/bin/env bash
# Runs Brook's Java vector tool: bash tests/vectors/java/run.sh IN.jsonl OUT.jsonl
# Builds it first when needed (downloads kafka-clients 4.1.1 and Jackson from Maven Central into ~/.m2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target="$here/target"
if [ ! -f "$target/classes/VectorTool.class" ] || [ "$here/src/VectorTool.java" -nt "$target/classes/VectorTool.class" ]; then
  mkdir -p "$target/classes"
  (cd "$here" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$target/libs" >&2)
  javac -nowarn -d "$target/classes" -cp "$target/libs/*" "$here/src/VectorTool.java"
fi
exec java -Xmx512m -XX:+UseSerialGC -cp "$target/classes:$target/libs/*" VectorTool "$1" "$2"
