#!/usr/bin/env bash
# A real Apache Kafka cluster (4.1.1, or env BROOK_KAFKA_VERSION) of three KRaft nodes (each broker and controller) on 127.0.0.1,
# for interop tests that kill and restart brokers. All state lives in DIR.
#   bash tools/kafka/cluster.sh DIR start      prints "listening on 127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3"
#   bash tools/kafka/cluster.sh DIR kill N     SIGKILL node N (1-3), as a crash
#   bash tools/kafka/cluster.sh DIR restart N  starts node N again and waits for its listener
#   bash tools/kafka/cluster.sh DIR stop       stops every node
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
command=$2
node=${3:-}
libs=$(bash "$here/install.sh")
java=(java -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$libs/*")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$(cat "$2/pid")" 2>/dev/null || { tail -20 "$2/kafka.log" >&2; return 1; }
    sleep 0.5
  done
  echo "node $2 did not start within 60 s" >&2
  return 1
}
launch() {
  local n=$1
  nohup "${java[@]}" kafka.Kafka "$dir/node$n/server.properties" >>"$dir/node$n/kafka.log" 2>&1 &
  echo $! >"$dir/node$n/pid"
}
case "$command" in
  start)
    mkdir -p "$dir"
    ports=() cports=()
    for n in 1 2 3; do
      ports+=("$(free_port)")
      cports+=("$(free_port)")
    done
    voters="1@127.0.0.1:${cports[0]},2@127.0.0.1:${cports[1]},3@127.0.0.1:${cports[2]}"
    cluster_id=$("${java[@]}" kafka.tools.StorageTool random-uuid)
    for n in 1 2 3; do
      d="$dir/node$n"
      mkdir -p "$d/data"
      cat >"$d/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:${ports[$((n - 1))]},CONTROLLER://127.0.0.1:${cports[$((n - 1))]}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports[$((n - 1))]}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$d/data
offsets.topic.replication.factor=3
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
transaction.state.log.num.partitions=3
default.replication.factor=3
min.insync.replicas=2
group.initial.rebalance.delay.ms=0
unclean.leader.election.enable=false
num.partitions=1
PROPS
      "${java[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$d/server.properties" >"$d/format.log" 2>&1
      echo "${ports[$((n - 1))]}" >"$d/port"
    done
    for n in 1 2 3; do launch "$n"; done
    for n in 1 2 3; do wait_port "$(cat "$dir/node$n/port")" "$dir/node$n"; done
    echo "listening on 127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"
    ;;
  kill)
    kill -9 "$(cat "$dir/node$node/pid")" 2>/dev/null || true
    ;;
  restart)
    launch "$node"
    wait_port "$(cat "$dir/node$node/port")" "$dir/node$node"
    ;;
  stop)
    for n in 1 2 3; do bash "$here/stop.sh" "$dir/node$n" & done
    wait
    ;;
  *)
    echo "usage: cluster.sh DIR start|kill N|restart N|stop" >&2
    exit 2
    ;;
esac
