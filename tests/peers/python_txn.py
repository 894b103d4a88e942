"""Transactions with librdkafka (confluent-kafka) against a Kafka broker.

Usage: python3 python_txn.py BOOTSTRAP TOPIC
A transactional producer commits 10 records, aborts 10, then commits 5 together with a consumer
group's offsets (send_offsets_to_transaction). A second producer with the same transactional.id
fences the first. read_committed and read_uncommitted consumers read the topic back. Prints one JSON
line with the results.
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
result = {}
admin = AdminClient({"bootstrap.servers": bootstrap})
admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])[topic].result(10)

txn_id = f"{topic}-txn"
producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id, "linger.ms": 5})
producer.init_transactions(10)

producer.begin_transaction()
for i in range(10):
    producer.produce(topic, key=f"c{i}", value=f"committed {i}")
producer.commit_transaction(10)

producer.begin_transaction()
for i in range(10):
    producer.produce(topic, key=f"a{i}", value=f"aborted {i}")
producer.flush(10)
producer.abort_transaction(10)

# Consume-transform-produce: the group's offsets commit with the records.
group = f"{topic}-group"
source = Consumer({
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "enable.auto.commit": False,
    "auto.offset.reset": "earliest",
    "isolation.level": "read_committed",
})
source.subscribe([topic])
seen = 0
deadline = time.time() + 20
while seen < 10 and time.time() < deadline:
    m = source.poll(0.2)
    if m is not None and not m.error():
        seen += 1
result["group_read_before_commit"] = seen
producer.begin_transaction()
for i in range(5):
    producer.produce(topic, key=f"t{i}", value=f"transformed {i}")
positions = source.position(source.assignment())
producer.send_offsets_to_transaction(positions, source.consumer_group_metadata(), 10)
producer.commit_transaction(10)
committed = source.committed([TopicPartition(topic, p) for p in range(2)], timeout=10)
result["group_committed_total"] = sum(max(tp.offset, 0) for tp in committed)
source.close()

# A new producer with the same transactional.id fences the old one.
producer.begin_transaction()
producer.produce(topic, key="z", value="zombie")
producer.flush(10)
fencer = Producer({"bootstrap.servers": bootstrap, "transactional.id": txn_id})
fencer.init_transactions(10)
try:
    producer.commit_transaction(10)
    result["zombie_commit"] = "succeeded"
except KafkaException as e:
    err = e.args[0]
    result["zombie_commit"] = err.name()
    result["zombie_fatal"] = err.fatal()
fencer.begin_transaction()
fencer.produce(topic, key="f", value="fencer")
fencer.commit_transaction(10)


def read_all(isolation):
    c = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"{topic}-reader-{isolation}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": isolation,
        "enable.partition.eof": True,
    })
    c.assign([TopicPartition(topic, p, 0) for p in range(2)])
    values, eofs = [], set()
    deadline = time.time() + 20
    while len(eofs) < 2 and time.time() < deadline:
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                eofs.add(m.partition())
            continue
        values.append(m.value().decode())
    c.close()
    return values


committed_values = read_all("read_committed")
uncommitted_values = read_all("read_uncommitted")
result["read_committed"] = len(committed_values)
result["read_committed_aborted"] = sum(v.startswith("aborted") or v == "zombie" for v in committed_values)
result["read_uncommitted"] = len(uncommitted_values)
print(json.dumps(result))
