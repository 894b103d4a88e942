#!/usr/bin/env bash
# Prints Kafka 4.1.1's error table (code, name, retriable) from kafka-clients itself, to re-check
# codec/errors.ts: bash tools/kafka_errors/run.sh | diff - <(deno run tools/kafka_errors/table.ts)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mvn -q dependency:get -Dartifact=org.apache.kafka:kafka-clients:4.1.1 >/dev/null
mvn -q dependency:get -Dartifact=org.slf4j:slf4j-api:1.7.36 >/dev/null
m2=${HOME}/.m2/repository
cp="$m2/org/apache/kafka/kafka-clients/4.1.1/kafka-clients-4.1.1.jar:$m2/org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.jar"
out=$(mktemp -d)
javac -d "$out" -cp "$cp" "$here/ListErrors.java"
java -cp "$cp:$out" ListErrors 2>/dev/null
rm -rf "$out"
