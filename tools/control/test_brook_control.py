"""pytest: confluent-kafka against Brook's broker, driven through the control API.

Run from the repository: python3 -m pytest -q tools/control/test_brook_control.py
(or python3 tools/control/test_brook_control.py where pytest is not installed).
"""

import contextlib
import os
import sys

from confluent_kafka import Consumer, Producer

sys.path.insert(0, os.path.dirname(__file__))
from brook_control import ControlError, WaitTimeout, start_broker  # noqa: E402

try:
    import pytest
except ImportError:
    pytest = None

BROKER_ARGS = ("--topic", "orders:1")

if pytest is not None:

    @pytest.fixture(scope="module")
    def broker():
        with start_broker(*BROKER_ARGS) as b:
            yield b

    @pytest.fixture(autouse=True)
    def clean(broker):
        yield
        broker.control.reset()


@contextlib.contextmanager
def raises(kind):
    """Like pytest.raises: the block must raise `kind`; yields a holder of the exception."""
    holder = type("Raised", (), {"value": None})()
    try:
        yield holder
    except kind as e:
        holder.value = e
        return
    raise AssertionError(f"{kind.__name__} not raised")


def test_producer_recovers_from_injected_errors(broker):
    control = broker.control
    fault = control.inject(
        kind="error", apiKey="Produce", errorCode="NOT_LEADER_OR_FOLLOWER", topic="orders", count=3
    )
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers, "linger.ms": 1})
    delivered = []
    producer.produce("orders", key=b"k", value=b"hello", on_delivery=lambda e, m: delivered.append(e))
    assert producer.flush(30) == 0
    assert delivered == [None]
    assert control.fault(fault["id"])["hits"] == 3
    control.wait("offset", topic="orders", partition=0, offset=1, timeoutMs=10000)
    records = control.records("orders", 0)["records"]
    assert [(r["key"], r["value"]) for r in records] == [("k", "hello")]


def test_consumer_group_is_stable_after_a_dropped_fetch(broker):
    control = broker.control
    producer = Producer({"bootstrap.servers": broker.bootstrap_servers})
    for i in range(5):
        producer.produce("orders", value=f"v{i}".encode())
    assert producer.flush(30) == 0
    control.inject(kind="drop", apiKey="Fetch", count=1)
    consumer = Consumer({
        "bootstrap.servers": broker.bootstrap_servers,
        "group.id": "py-group",
        "auto.offset.reset": "earliest",
    })
    consumer.subscribe(["orders"])
    values = []
    try:
        for _ in range(300):
            msg = consumer.poll(0.1)
            if msg is not None and msg.error() is None:
                values.append(msg.value().decode())
            if len(values) == 5:
                break
        assert values == [f"v{i}" for i in range(5)]
        seen = control.wait("group", groupId="py-group", members=1, timeoutMs=10000)
        assert seen["observed"] == {"state": "Stable", "members": 1}
        assert control.faults()[0]["hits"] == 1
    finally:
        consumer.close()


def test_refusals_and_timeouts(broker):
    control = broker.control
    with raises(ControlError) as refused:
        control.create_topic("orders")
    assert refused.value.status == 409
    with raises(ControlError) as unknown:
        control.records("missing", 0)
    assert unknown.value.status == 404
    with raises(WaitTimeout) as late:
        control.wait("transaction", transactionalId="nobody", timeoutMs=10)
    assert late.value.observed == {"state": "None"}


def test_reset_leaves_only_the_starting_topic(broker):
    control = broker.control
    control.create_topic("scratch", partitions=3)
    assert sorted(t["name"] for t in control.topics()) == ["orders", "scratch"]
    control.reset()
    assert [t["name"] for t in control.topics()] == ["orders"]


if __name__ == "__main__":
    tests = [f for name, f in sorted(globals().items()) if name.startswith("test_")]
    with start_broker(*BROKER_ARGS) as b:
        for test in tests:
            test(b)
            b.control.reset()
    print(f"{len(tests)} passed")
