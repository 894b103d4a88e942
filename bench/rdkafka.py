"""librdkafka (through confluent-kafka from PyPI) as a benchmark contender, run by bench/run.ts.

Usage:
  python3 bench/rdkafka.py produce BOOTSTRAP TOPIC RECORDS WARMUP   100-byte records, acks=1
  python3 bench/rdkafka.py consume BOOTSTRAP TOPIC RECORDS          partition 0 from offset 0

Prints one JSON line: {"value": ..., "unit": ..., "verified": ...}, verified counting the records
acknowledged (delivery reports without error) or read.
"""

import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def produce(bootstrap, topic, records, warmup):
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "acks": 1,
        "enable.idempotence": False,
        "linger.ms": 2,
        "queue.buffering.max.messages": 2_000_000,
        "queue.buffering.max.kbytes": 1_048_576,
    })
    value = bytes(range(100))
    counts = {"acked": 0, "failed": 0}

    def delivered(err, _msg):
        counts["failed" if err else "acked"] += 1

    def send(n):
        for _ in range(n):
            while True:
                try:
                    producer.produce(topic, value, on_delivery=delivered)
                    break
                except BufferError:
                    producer.poll(0.001)
            producer.poll(0)
        if producer.flush(120) != 0:
            raise KafkaException("records left unsent")

    send(warmup)
    start = time.perf_counter()
    send(records)
    elapsed = time.perf_counter() - start
    if counts["failed"]:
        raise KafkaException(f"{counts['failed']} records failed")
    report(records / elapsed, "rec/s", counts["acked"] - warmup)


def consume(bootstrap, topic, records):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "brook-bench-rdkafka",
        "enable.auto.commit": False,
        "fetch.max.bytes": 52_428_800,
    })
    consumer.assign([TopicPartition(topic, 0, 0)])
    read = 0
    start = time.perf_counter()
    deadline = start + 300
    while read < records and time.perf_counter() < deadline:
        for message in consumer.consume(10_000, 1.0):
            if message.error():
                raise KafkaException(message.error())
            read += 1
    elapsed = time.perf_counter() - start
    consumer.close()
    report(records / elapsed, "rec/s", read)


def report(value, unit, verified):
    print(json.dumps({"value": value, "unit": unit, "verified": verified}), flush=True)


if __name__ == "__main__":
    command, bootstrap, topic = sys.argv[1:4]
    if command == "produce":
        produce(bootstrap, topic, int(sys.argv[4]), int(sys.argv[5]))
    elif command == "consume":
        consume(bootstrap, topic, int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {command}")
