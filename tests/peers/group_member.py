"""A librdkafka (confluent-kafka) consumer-group member, driven by a test over stdin/stdout.

Usage: python3 group_member.py BOOTSTRAP TOPIC GROUP ASSIGNOR
ASSIGNOR is range, roundrobin or cooperative-sticky (the classic protocol), or uniform or
server-range (the consumer protocol of KIP-848, with that server-side assignor). Prints one JSON
line per event:
  {"event": "assigned", "partitions": [...]}   the whole assignment, after every rebalance
  {"event": "done", "records": ["P:OFFSET:VALUE", ...]}   once "stop" is read from stdin
Offsets are committed synchronously after every poll that returned a record.
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer

bootstrap, topic, group, assignor = sys.argv[1:5]
stop = threading.Event()


def watch_stdin():
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop.set()


threading.Thread(target=watch_stdin, daemon=True).start()
assigned = set()
consumer_protocol = assignor in ("uniform", "server-range")
# The consumer protocol hands out and takes back partitions incrementally, as cooperative-sticky does.
incremental = assignor == "cooperative-sticky" or consumer_protocol


def report():
    print(json.dumps({"event": "assigned", "partitions": sorted(assigned)}), flush=True)


def on_assign(consumer, parts):
    if not incremental:
        assigned.clear()
    assigned.update(p.partition for p in parts)
    report()


def on_revoke(consumer, parts):
    if incremental:
        assigned.difference_update(p.partition for p in parts)
    else:
        assigned.clear()
    report()


config = {
    "bootstrap.servers": bootstrap,
    "group.id": group,
    "auto.offset.reset": "earliest",
    "enable.auto.commit": False,
}
if consumer_protocol:
    # The broker assigns, and sets the session and heartbeat times.
    config["group.protocol"] = "consumer"
    config["group.remote.assignor"] = "uniform" if assignor == "uniform" else "range"
else:
    config["partition.assignment.strategy"] = assignor
    config["session.timeout.ms"] = 10000
    config["heartbeat.interval.ms"] = 500
c = Consumer(config)
c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
records = []
deadline = time.time() + 120
while not stop.is_set() and time.time() < deadline:
    m = c.poll(0.1)
    if m is None:
        continue
    if m.error():
        print(json.dumps({"event": "error", "error": str(m.error())}), flush=True)
        continue
    records.append(f"{m.partition()}:{m.offset()}:{m.value().decode()}")
    c.commit(message=m, asynchronous=False)
c.close()
print(json.dumps({"event": "done", "records": records}), flush=True)
