"""confluent-kafka (librdkafka with Cyrus SASL's GSSAPI plugin, as Debian builds it) on a GSSAPI
listener: logs in with the user's keytab (librdkafka runs kinit), produces ten records to TOPIC
and reads them back from partition 0. Prints "produced N" and "consumed N", or the name of the error it met.

    /usr/bin/python3 python_gssapi.py BOOTSTRAP KEYTAB PRINCIPAL TOPIC
"""
import sys
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition

bootstrap, keytab, principal, topic = sys.argv[1:5]
security = {
    "bootstrap.servers": bootstrap,
    "security.protocol": "SASL_PLAINTEXT",
    "sasl.mechanisms": "GSSAPI",
    "sasl.kerberos.service.name": "kafka",
    "sasl.kerberos.keytab": keytab,
    "sasl.kerberos.principal": principal,
    "sasl.kerberos.kinit.cmd": "kinit -k -t %s %s" % (keytab, principal),
}


def name(error):
    return error.name() if hasattr(error, "name") else str(error)


errors = []
producer = Producer(dict(security, **{"message.timeout.ms": 10000}))
for i in range(10):
    producer.produce(topic, value=b"v%d" % i, on_delivery=lambda e, m: e and errors.append(e))
producer.flush(15)
if errors:
    print(name(errors[0]))
    sys.exit(0)
print("produced 10")

# Assigned, not subscribed: the user has rights on the topic only, not on a group.
consumer = Consumer(dict(security, **{
    "group.id": "gssapi-" + uuid.uuid4().hex,
    "enable.auto.commit": False,
}))
consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
read = 0
try:
    for _ in range(200):
        message = consumer.poll(0.1)
        if message is None:
            if read >= 10:
                break
            continue
        if message.error():
            raise KafkaException(message.error())
        read += 1
        if read >= 10:
            break
    print("consumed %d" % read)
except KafkaException as e:
    print(name(e.args[0]))
finally:
    consumer.close()
