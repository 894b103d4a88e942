"""ACLs seen by foreign clients: confluent-kafka's AdminClient (librdkafka) creates, describes and
deletes ACLs as the super user, then confluent-kafka and kafka-python clients act as alice over
SASL PLAIN within and beyond them. Prints one JSON line of what each saw, so that a run on Brook's
broker and one on a real Kafka can be compared.

    python3 python_acls.py PLAINTEXT_BOOTSTRAP SASL_PLAINTEXT_BOOTSTRAP TOPIC_PREFIX
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType,
                                   AdminClient, NewTopic, ResourcePatternType, ResourceType)
from kafka import KafkaAdminClient
from kafka.admin import ACLFilter, ResourcePatternFilter
from kafka.admin import ACLOperation as PyOperation
from kafka.admin import ACLPermissionType as PyPermission
from kafka.admin import ACLResourcePatternType as PyPattern
from kafka.admin import ResourceType as PyResource

plaintext, sasl, prefix = sys.argv[1:4]
orders, secret, group = prefix + "-orders", prefix + "-secret", prefix + "-group"
alice = {"bootstrap.servers": sasl, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
         "sasl.username": "alice", "sasl.password": "alice-secret"}
out = {}

admin = AdminClient({"bootstrap.servers": plaintext})
for f in admin.create_topics([NewTopic(t, 1, 1) for t in (orders, secret)]).values():
    f.result()

ANY = dict(host="*", permission_type=AclPermissionType.ALLOW)
acls = [
    AclBinding(ResourceType.TOPIC, prefix + "-ord", ResourcePatternType.PREFIXED, "User:alice",
               operation=AclOperation.WRITE, **ANY),
    AclBinding(ResourceType.TOPIC, prefix + "-ord", ResourcePatternType.PREFIXED, "User:alice",
               operation=AclOperation.READ, **ANY),
    AclBinding(ResourceType.GROUP, group, ResourcePatternType.LITERAL, "User:alice",
               operation=AclOperation.READ, **ANY),
]
for f in admin.create_acls(acls).values():
    f.result()
alice_filter = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, "User:alice", None,
                                AclOperation.ANY, AclPermissionType.ANY)


def describe():
    found = admin.describe_acls(alice_filter).result()
    return sorted("%s %s %s %s %s" % (b.restype.name, b.name, b.resource_pattern_type.name,
                                     b.operation.name, b.permission_type.name) for b in found)


deadline = time.time() + 10
while len(describe()) < len(acls) and time.time() < deadline:
    time.sleep(0.1)
out["described"] = describe()


def produce(topic):
    """What a confluent-kafka producer acting as alice is told: NO_ERROR or the error's name."""
    results = []
    producer = Producer(dict(alice, **{"message.timeout.ms": 5000}))
    producer.produce(topic, b"hello", on_delivery=lambda err, _msg: results.append(err))
    producer.flush(10)
    return "NO_ERROR" if results[0] is None else results[0].name()


out["produce_orders"] = produce(orders)
out["produce_secret"] = produce(secret)


def consume(group_id):
    """What a confluent-kafka consumer in `group_id` acting as alice reads, or its first error."""
    consumer = Consumer(dict(alice, **{"group.id": group_id, "auto.offset.reset": "earliest",
                                       "enable.auto.commit": False}))
    consumer.subscribe([orders])
    deadline = time.time() + 15
    try:
        while time.time() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                return msg.error().name()
            consumer.commit(msg, asynchronous=False)
            return msg.value().decode()
        return "nothing"
    except KafkaException as e:
        return e.args[0].name()
    finally:
        consumer.close()


out["consume_in_group"] = consume(group)
out["consume_in_other_group"] = consume(prefix + "-other")

# kafka-python's admin, as alice: describing ACLs needs DESCRIBE on the cluster.
py_admin = KafkaAdminClient(bootstrap_servers=sasl, security_protocol="SASL_PLAINTEXT",
                            sasl_mechanism="PLAIN", sasl_plain_username="alice",
                            sasl_plain_password="alice-secret")
try:
    py_admin.describe_acls(ACLFilter(principal=None, host="*", operation=PyOperation.ANY,
                                     permission_type=PyPermission.ANY,
                                     resource_pattern=ResourcePatternFilter(PyResource.ANY, None,
                                                                            PyPattern.ANY)))
    out["alice_describes_acls"] = "allowed"
except Exception as e:  # kafka-python raises its error class for the code
    out["alice_describes_acls"] = type(e).__name__
finally:
    py_admin.close()

# Keep the map of futures referenced until they are done: confluent-kafka completes them through it.
deletions = admin.delete_acls([alice_filter])
deleted = deletions[alice_filter].result()
out["deleted"] = len(deleted)
deadline = time.time() + 10
while describe() and time.time() < deadline:
    time.sleep(0.1)
out["produce_orders_after_delete"] = produce(orders)
print(json.dumps(out))
