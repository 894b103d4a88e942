"""The conformance scenarios with a Python client: topic admin, metadata, every compression,
idempotent produce, and a consumer group of two members that rebalance and commit. Prints one
JSON line shaped as the other peers' drivers print it (tests/peers/scenarios_test.ts checks them).

    python3 python_scenarios.py confluent-kafka|kafka-python BOOTSTRAP PREFIX
"""
import json
import sys
import time

peer, bootstrap, prefix = sys.argv[1:4]
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
out = {}


def distinct_count(values):
    return len(values) - len(set(values))


if peer == "confluent-kafka":
    from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})

    def create(topic, partitions):
        admin.create_topics([NewTopic(topic, partitions, 1)])[topic].result()

    def topics():
        return admin.list_topics(timeout=10).topics

    def partitions_of(topic):
        return len(topics()[topic].partitions)

    def delete(topic):
        admin.delete_topics([topic])[topic].result()

    def brokers():
        return len(admin.list_topics(timeout=10).brokers)

    def produce(topic, values, partition=None, **config):
        p = Producer(dict({"bootstrap.servers": bootstrap}, **config))
        for i, v in enumerate(values):
            if partition is None:
                p.produce(topic, v.encode())
            else:
                p.produce(topic, v.encode(), partition=partition(i))
        p.flush(20)

    def read_all(topic, count):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": prefix + "-reader",
                      "enable.auto.commit": False})
        c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        got, deadline = [], time.time() + 20
        while len(got) < count and time.time() < deadline:
            m = c.poll(0.2)
            if m is not None and not m.error():
                got.append(m.value().decode())
        c.close()
        return got

    def member(group_id, topic):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": group_id,
                      "auto.offset.reset": "earliest", "enable.auto.commit": False,
                      "partition.assignment.strategy": "range"})
        c.subscribe([topic])
        return c

    def poll_into(c, seen):
        m = c.poll(0.05)
        if m is not None and not m.error():
            seen.append(m.value().decode())
            c.commit(m, asynchronous=False)

    def assigned(c):
        return len(c.assignment())

    def committed(group_id, topic):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": group_id})
        offsets = c.committed([TopicPartition(topic, p) for p in range(4)], timeout=10)
        c.close()
        return sum(max(o.offset, 0) for o in offsets)

    def close(c):
        c.close()

    compressions = {codec: dict(**{"compression.type": codec}) for codec in CODECS}
    idempotent = {"enable.idempotence": True, "acks": "all"}
else:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import NewTopic
    from kafka.structs import OffsetAndMetadata

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)

    def create(topic, partitions):
        admin.create_topics([NewTopic(topic, partitions, 1)])

    def topics():
        return admin.list_topics()

    def partitions_of(topic):
        return len(admin.describe_topics([topic])[0]["partitions"])

    def delete(topic):
        admin.delete_topics([topic])

    def brokers():
        return len(admin.describe_cluster()["brokers"])

    def produce(topic, values, partition=None, **config):
        p = KafkaProducer(bootstrap_servers=bootstrap, **config)
        for i, v in enumerate(values):
            p.send(topic, v.encode(), partition=None if partition is None else partition(i))
        p.flush(20)
        p.close()

    def read_all(topic, count):
        c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        tp = TopicPartition(topic, 0)
        c.assign([tp])
        c.seek_to_beginning(tp)
        got, deadline = [], time.time() + 20
        while len(got) < count and time.time() < deadline:
            for records in c.poll(200).values():
                got.extend(r.value.decode() for r in records)
        c.close()
        return got

    def member(group_id, topic):
        return KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group_id,
                             auto_offset_reset="earliest", enable_auto_commit=False)

    def poll_into(c, seen):
        batch = c.poll(50)
        for records in batch.values():
            seen.extend(r.value.decode() for r in records)
        if batch:
            c.commit()

    def assigned(c):
        return len(c.assignment())

    def committed(group_id, _topic):
        offsets = admin.list_group_offsets(group_id)[group_id]  # kafka-python 3: by group id
        return sum(o.offset for o in offsets.values())

    def close(c):
        c.close()

    compressions = {codec: ({} if codec == "none" else {"compression_type": codec})
                    for codec in CODECS}
    idempotent = {"enable_idempotence": True, "acks": "all"}

topic = prefix + "-admin"
create(topic, 3)
n = partitions_of(topic)
delete(topic)
deleted = False
for _ in range(50):
    if topic not in topics():
        deleted = True
        break
    time.sleep(0.1)
out["admin"] = {"partitions": n, "deleted": deleted}
out["metadata"] = {"brokers": brokers()}

compression = {}
for codec in CODECS:
    topic = "%s-c-%s" % (prefix, codec)
    create(topic, 1)
    want = ["%s-%d" % (codec, i) for i in range(5)]
    try:
        produce(topic, want, **compressions[codec])
        got = read_all(topic, 5)
        compression[codec] = 5 if got == want else len(got)
    except Exception as e:  # a codec the client cannot use here
        compression[codec] = "unsupported: %s" % type(e).__name__
out["compression"] = compression

topic = prefix + "-idem"
create(topic, 1)
produce(topic, ["idem-%d" % i for i in range(20)], **idempotent)
got = read_all(topic, 20)
out["idempotent"] = {"read": len(got), "duplicates": distinct_count(got)}

topic, group_id = prefix + "-group", prefix + "-g"
create(topic, 4)
produce(topic, ["g-%d" % i for i in range(40)], partition=lambda i: i % 4)
seen = []
a = member(group_id, topic)
deadline = time.time() + 30
while assigned(a) == 0 and time.time() < deadline:
    poll_into(a, seen)
before = assigned(a)
b = member(group_id, topic)
while time.time() < deadline:
    poll_into(a, seen)
    poll_into(b, seen)
    if assigned(a) and assigned(b) and assigned(a) + assigned(b) == 4 and len(seen) >= 40:
        break
split = sorted([assigned(a), assigned(b)])
close(a)
close(b)
out["group"] = {"before": before, "split": split, "read": len(seen), "duplicates": distinct_count(seen),
                "committed": committed(group_id, topic)}
print(json.dumps(out))
