#!/usr/bin/env bash
# Stops the Kafka that start.sh started in DIR: SIGTERM, then SIGKILL after 10 s.
set -uo pipefail
pid=$(cat "$1/pid" 2>/dev/null) || exit 0
kill "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.5; done
kill -9 "$pid" 2>/dev/null
exit 0
