#!/usr/bin/env bash
# Starts a real Apache Kafka 4.1.1 (single node, KRaft) on 127.0.0.1 for interop tests.
#   bash tools/kafka/start.sh DIR [PORT]   (PORT 0 or absent: a free port)
# Installs it from Maven Central on first use (into ${BROOK_CACHE:-~/.cache/brook}/kafka-4.1.1), keeps all
# state in DIR, prints "listening on 127.0.0.1:PORT" once it answers, and writes DIR/pid.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
port=${2:-0}
libs=$(bash "$here/install.sh")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
[ "$port" = 0 ] && port=$(free_port)
cport=$(free_port)
mkdir -p "$dir/data"
cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=1
PROPS
java=(java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$libs/*")
"${java[@]}" kafka.tools.StorageTool format --standalone -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
  -c "$dir/server.properties" >"$dir/format.log" 2>&1
nohup "${java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
echo $! >"$dir/pid"
for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "listening on 127.0.0.1:$port"
    exit 0
  fi
  kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/kafka.log" >&2; exit 1; }
  sleep 0.5
done
echo "Kafka did not start within 60 s" >&2
exit 1
