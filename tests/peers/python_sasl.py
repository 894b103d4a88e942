"""kafka-python (a pure-Python Kafka client) against a SASL listener: produces and consumes with
each mechanism given, and reports what it read as one JSON line.

    python3 python_sasl.py BOOTSTRAP PROTOCOL CAFILE_OR_- TOPIC_PREFIX
"""
import base64
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer
try:
    from kafka.net.sasl.oauth import AbstractTokenProvider  # kafka-python 3
except ImportError:
    from kafka.sasl.oauth import AbstractTokenProvider  # kafka-python 2

bootstrap, protocol, cafile, prefix = sys.argv[1:5]


def b64url(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class UnsecuredJwt(AbstractTokenProvider):
    """An unsecured JWT ("alg": "none") for the principal "carol"."""

    def token(self):
        # Whole seconds: a fractional "iat" can lie a fraction of a millisecond ahead of the broker's
        # clock when it checks the token at once, and Kafka (like Brook) then refuses it.
        now = int(time.time())
        return "%s.%s." % (b64url({"alg": "none"}), b64url({"sub": "carol", "iat": now, "exp": now + 3600}))


MECHANISMS = {
    "PLAIN": dict(sasl_plain_username="alice", sasl_plain_password="alice-secret"),
    "SCRAM-SHA-256": dict(sasl_plain_username="alice", sasl_plain_password="alice-secret"),
    "SCRAM-SHA-512": dict(sasl_plain_username="bob", sasl_plain_password="bob-secret"),
    "OAUTHBEARER": dict(sasl_oauth_token_provider=UnsecuredJwt()),
}

results = {}
for mechanism, creds in MECHANISMS.items():
    common = dict(bootstrap_servers=bootstrap, security_protocol=protocol, sasl_mechanism=mechanism, **creds)
    if cafile != "-":
        common["ssl_cafile"] = cafile
    topic = "%s-%s" % (prefix, mechanism.lower())
    producer = KafkaProducer(**common)
    for i in range(5):
        producer.send(topic, ("%s %d" % (mechanism, i)).encode())
    producer.flush(20)
    producer.close()
    consumer = KafkaConsumer(topic, auto_offset_reset="earliest", consumer_timeout_ms=5000, **common)
    values = []
    for message in consumer:
        values.append(message.value.decode())
        if len(values) == 5:
            break
    consumer.close()
    results[mechanism] = values
print(json.dumps(results))
