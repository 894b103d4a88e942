"""Python peers against a Kafka broker: confluent-kafka (librdkafka 2.x) and kafka-python.

Usage: python3 python_clients.py BOOTSTRAP TOPIC
Produces with each compression, consumes everything back, runs a two-member consumer group, commits,
and creates/deletes a topic with the admin client. Prints one JSON line with the results.
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
result = {}

admin = AdminClient({"bootstrap.servers": bootstrap})
fs = admin.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)])
fs[topic].result(10)
md = admin.list_topics(timeout=10)
result["admin_partitions"] = len(md.topics[topic].partitions)

sent = 0
for codec in ["none", "gzip", "snappy", "lz4", "zstd"]:
    p = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "enable.idempotence": True, "linger.ms": 5})
    for i in range(25):
        p.produce(topic, key=f"{codec}-{i}", value=f"{codec} value {i}")
    left = p.flush(10)
    assert left == 0, f"{left} messages not delivered with {codec}"
    sent += 25
result["produced"] = sent

seen = {}
lock = threading.Lock()
assignments = {}


def consume(name, stop_at):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "python-group",
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "cooperative-sticky",
        "enable.auto.commit": False,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 500,
    })
    c.subscribe([topic])
    deadline = time.time() + 30
    while time.time() < deadline:
        m = c.poll(0.2)
        if m is not None and m.error() is None:
            with lock:
                key = (m.partition(), m.offset())
                seen[key] = seen.get(key, 0) + 1
            c.commit(m, asynchronous=False)
        with lock:
            done = len(seen) >= stop_at
        if done and len(c.assignment()) > 0 and time.time() > deadline - 25:
            break
    assignments[name] = sorted(tp.partition for tp in c.assignment())
    c.close()


threads = [threading.Thread(target=consume, args=(n, sent)) for n in ("a", "b")]
for t in threads:
    t.start()
    time.sleep(1)
for t in threads:
    t.join()
result["consumed"] = len(seen)
result["duplicates"] = sum(1 for v in seen.values() if v > 1)
result["assignments"] = assignments

c = Consumer({"bootstrap.servers": bootstrap, "group.id": "python-group"})
committed = c.committed([TopicPartition(topic, p) for p in range(4)], timeout=10)
result["committed_total"] = sum(tp.offset for tp in committed if tp.offset >= 0)
c.close()

from kafka import KafkaConsumer, KafkaProducer  # noqa: E402

kp = KafkaProducer(bootstrap_servers=bootstrap, compression_type="gzip")
for i in range(10):
    kp.send(topic, key=b"kp", value=f"kafka-python {i}".encode())
kp.flush(10)
kc = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=3000, group_id=None)
result["kafka_python_read"] = sum(1 for m in kc if m.value.startswith(b"kafka-python"))
kc.close()

fs = admin.delete_topics([topic])
fs[topic].result(10)
print(json.dumps(result))
