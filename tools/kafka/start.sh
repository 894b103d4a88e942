#!/usr/bin/env bash
# Starts a real Apache Kafka (single node, KRaft) on 127.0.0.1 for interop tests: 4.1.1, or the
# version in env BROOK_KAFKA_VERSION (e.g. 4.4.0).
#   bash tools/kafka/start.sh DIR [PORT] [--secure]   (PORT 0 or absent: a free port)
# Installs it from Maven Central on first use (into ${BROOK_CACHE:-~/.cache/brook}/kafka-VERSION), keeps all
# state in DIR, prints "listening on 127.0.0.1:PORT" once it answers, and writes DIR/pid.
# --secure adds SASL_SSL and SASL_PLAINTEXT listeners (PLAIN, SCRAM-SHA-256/512 and unsecured-JWT
# OAUTHBEARER; users alice/alice-secret and bob/bob-secret; sessions of 3 s on SASL_PLAINTEXT), TLS
# with a CA and certificate made here with openssl, and the standard ACL authorizer (super users
# User:ANONYMOUS, the PLAINTEXT listener, and User:admin), and an SSL listener that requires client
# certificates signed by that CA (DIR/certs/ca.key signs them), and delegation tokens (a secret key
# is set); it prints "sasl_ssl on ...",
# "sasl_plaintext on ...", "ssl on ..." and "ca DIR/certs/ca.pem" lines too.
# --telemetry (after PORT, alone or with --secure) adds a client telemetry receiver (KIP-714,
# tools/kafka/telemetry/FileTelemetryReceiver.java, compiled here): the broker then advertises
# GetTelemetrySubscriptions and PushTelemetry and appends each push to DIR/telemetry.jsonl; it
# prints "telemetry DIR/telemetry.jsonl" too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$1
port=${2:-0}
secure=
telemetry=
for flag in "${@:3}"; do
  case "$flag" in
    --secure) secure=--secure ;;
    --telemetry) telemetry=1 ;;
    *) echo "unknown option $flag" >&2; exit 2 ;;
  esac
done
libs=$(bash "$here/install.sh")
classpath="$libs/*"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
[ "$port" = 0 ] && port=$(free_port)
cport=$(free_port)
mkdir -p "$dir/data"
listeners="PLAINTEXT://127.0.0.1:$port"
protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
if [ "$secure" = --secure ]; then
  sslport=$(free_port)
  saslport=$(free_port)
  mtlsport=$(free_port)
  listeners="$listeners,SASL_SSL://127.0.0.1:$sslport,SASL_PLAINTEXT://127.0.0.1:$saslport,SSL://127.0.0.1:$mtlsport"
  protocols="$protocols,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL"
  certs="$dir/certs"
  mkdir -p "$certs"
  (
    cd "$certs"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Brook test CA" -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout broker.key -out broker.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >ext.cnf
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out broker.pem 2>/dev/null
    openssl pkcs12 -export -in broker.pem -inkey broker.key -out broker.p12 -password pass:brook-test
  )
fi
cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=$listeners,CONTROLLER://127.0.0.1:$cport
advertised.listeners=$listeners
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=$protocols
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
scram=()
if [ "$secure" = --secure ]; then
  jaas_plain='org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret" user_admin="admin-secret";'
  jaas_scram='org.apache.kafka.common.security.scram.ScramLoginModule required;'
  jaas_oauth='org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker";'
  {
    echo "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER"
    for l in sasl_ssl sasl_plaintext; do
      echo "listener.name.$l.plain.sasl.jaas.config=$jaas_plain"
      echo "listener.name.$l.scram-sha-256.sasl.jaas.config=$jaas_scram"
      echo "listener.name.$l.scram-sha-512.sasl.jaas.config=$jaas_scram"
      echo "listener.name.$l.oauthbearer.sasl.jaas.config=$jaas_oauth"
    done
    echo "listener.name.sasl_plaintext.connections.max.reauth.ms=3000"
    echo "ssl.keystore.type=PKCS12"
    echo "ssl.keystore.location=$certs/broker.p12"
    echo "ssl.keystore.password=brook-test"
    echo "ssl.truststore.type=PEM"
    echo "ssl.truststore.location=$certs/ca.pem"
    echo "listener.name.ssl.ssl.client.auth=required"
    echo "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    echo "super.users=User:ANONYMOUS;User:admin"
    echo "delegation.token.secret.key=brook-test-secret"
    # Certificates of OU=mapped name "cn@o"; the others keep their whole subject.
    echo 'ssl.principal.mapping.rules=RULE:^CN=(.*?),OU=mapped,O=(.*?)$/$1@$2/L,DEFAULT'
  } >>"$dir/server.properties"
  for u in alice:alice-secret bob:bob-secret admin:admin-secret; do
    for m in SCRAM-SHA-256 SCRAM-SHA-512; do
      scram+=(--add-scram "$m=[name=${u%%:*},password=${u#*:}]")
    done
  done
fi
if [ -n "$telemetry" ]; then
  mkdir -p "$dir/telemetry-classes"
  javac -cp "$libs/*" -d "$dir/telemetry-classes" "$here/telemetry/FileTelemetryReceiver.java"
  classpath="$dir/telemetry-classes:$classpath"
  {
    echo "metric.reporters=FileTelemetryReceiver"
    echo "brook.telemetry.file=$dir/telemetry.jsonl"
  } >>"$dir/server.properties"
fi
java=(java -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$classpath")
"${java[@]}" kafka.tools.StorageTool format --standalone -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
  -c "$dir/server.properties" ${scram[@]+"${scram[@]}"} >"$dir/format.log" 2>&1
nohup "${java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 &
echo $! >"$dir/pid"
for _ in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "listening on 127.0.0.1:$port"
    if [ "$secure" = --secure ]; then
      echo "sasl_ssl on 127.0.0.1:$sslport"
      echo "sasl_plaintext on 127.0.0.1:$saslport"
      echo "ssl on 127.0.0.1:$mtlsport"
      echo "ca $certs/ca.pem"
    fi
    [ -n "$telemetry" ] && echo "telemetry $dir/telemetry.jsonl"
    exit 0
  fi
  kill -0 "$(cat "$dir/pid")" 2>/dev/null || { cat "$dir/kafka.log" >&2; exit 1; }
  sleep 0.5
done
echo "Kafka did not start within 60 s" >&2
exit 1
