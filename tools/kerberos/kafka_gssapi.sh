#!/usr/bin/env bash
# Real Apache Kafka 4.1.1 (KRaft, one node) with a SASL_PLAINTEXT listener that accepts only GSSAPI,
# against the KDC that kdc.sh made in KDCDIR (service principal kafka/localhost@BROOK.TEST).
#   bash kafka_gssapi.sh DIR KDCDIR [RULES]   (uses tools/kafka/install.sh)
# RULES: sasl.kerberos.principal.to.local.rules (default DEFAULT).
# The SASL listener binds 127.0.0.1 but is advertised as "localhost", so that clients ask the KDC
# for kafka/localhost.  A StandardAuthorizer (super user User:ANONYMOUS, i.e. the PLAINTEXT listener)
# makes the mapped principal visible: only principals given ACLs may use topics.
# Prints "listening on 127.0.0.1:PORT" and "sasl_plaintext (gssapi) on localhost:PORT"; writes DIR/pid.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mkdir -p "$1" && cd "$1" && pwd)
kdc=$(cd "$2" && pwd)
rules=${3:-DEFAULT}
libs=$(bash "$here/../kafka/install.sh")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
cport=$(free_port)
saslport=$(free_port)
mkdir -p "$dir/data"
jaas="com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab=\"$kdc/kafka.keytab\" principal=\"kafka/localhost@BROOK.TEST\";"
cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://127.0.0.1:$saslport,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,SASL_PLAINTEXT://localhost:$saslport
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.partitions=1
sasl.enabled.mechanisms=GSSAPI
sasl.kerberos.service.name=kafka
sasl.kerberos.principal.to.local.rules=$rules
listener.name.sasl_plaintext.gssapi.sasl.jaas.config=$jaas
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
PROPS
java=(java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "-Djava.security.krb5.conf=$kdc/krb5.conf" -cp "$libs/*")
"${java[@]}" kafka.tools.StorageTool format --standalone -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
  -c "$dir/server.properties" >"$dir/format.log" 2>&1
nohup "${java[@]}" ${KAFKA_EXTRA_JVM:-} kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
echo $! >"$dir/pid"
for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "listening on 127.0.0.1:$port"
    echo "sasl_plaintext (gssapi) on localhost:$saslport"
    exit 0
  fi
  kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/kafka.log" >&2; exit 1; }
  sleep 0.5
done
echo "Kafka did not start within 60 s" >&2
exit 1
