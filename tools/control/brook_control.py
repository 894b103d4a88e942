"""A tiny client of Brook's broker control API (standard library only).

    from brook_control import start_broker
    with start_broker("--brokers", "3") as broker:
        broker.control.inject(kind="error", apiKey="Produce", errorCode="NOT_LEADER_OR_FOLLOWER", count=2)
        ...  # run Kafka clients against broker.bootstrap_servers
        broker.control.wait("group", groupId="g", members=1, timeoutMs=10000)
        broker.control.reset()

Every method returns the decoded JSON answer. A refusal raises ControlError (its status and the
broker's one-line message); a wait whose timeout passes raises WaitTimeout.
"""

import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["BrookControl", "ControlError", "WaitTimeout", "start_broker"]


class ControlError(Exception):
    """The control API refused a request."""

    def __init__(self, status, message, body=None):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.body = body or {}


class WaitTimeout(ControlError):
    """A wait's timeout passed before its condition held; `observed` is what was seen last."""

    @property
    def observed(self):
        return self.body.get("observed")


class BrookControl:
    """The control API at `address` ("127.0.0.1:PORT")."""

    def __init__(self, address, timeout=60):
        self.base = address if "://" in address else f"http://{address}"
        self.timeout = timeout

    def call(self, method, path, body=None, query=None):
        url = self.base + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                text = res.read().decode()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            answer = json.loads(e.read().decode() or "{}")
            kind = WaitTimeout if e.code == 408 else ControlError
            raise kind(e.code, answer.get("error", e.reason), answer) from None

    # Faults
    def inject(self, **fault):
        """Injects a fault, e.g. inject(kind="latency", apiKey="Fetch", ms=200)."""
        return self.call("POST", "/faults", fault)

    def fault(self, fault_id):
        return self.call("GET", f"/faults/{fault_id}")

    def faults(self):
        return self.call("GET", "/faults")["faults"]

    def cancel_fault(self, fault_id):
        return self.call("DELETE", f"/faults/{fault_id}")

    def clear_faults(self):
        return self.call("DELETE", "/faults")

    def run_plan(self, steps):
        return self.call("POST", "/fault-plans", {"faults": steps})

    def stop_node(self, node_id):
        return self.call("POST", f"/nodes/{node_id}/stop")

    def restart_node(self, node_id):
        return self.call("POST", f"/nodes/{node_id}/restart")

    def move_leader(self, topic, partition, node_id):
        path = f"/topics/{urllib.parse.quote(topic)}/partitions/{partition}/leader"
        return self.call("POST", path, {"nodeId": node_id})

    # Topics and records
    def create_topic(self, name, **options):
        return self.call("POST", "/topics", {"name": name, **options})

    def delete_topic(self, name):
        return self.call("DELETE", f"/topics/{urllib.parse.quote(name)}")

    def topic(self, name):
        return self.call("GET", f"/topics/{urllib.parse.quote(name)}")

    def topics(self):
        return self.call("GET", "/topics")["topics"]

    def records(self, topic, partition, offset=None, end_offset=None, limit=None, encoding=None):
        path = f"/topics/{urllib.parse.quote(topic)}/partitions/{partition}/records"
        query = {"offset": offset, "endOffset": end_offset, "limit": limit, "encoding": encoding}
        return self.call("GET", path, query=query)

    # The broker as a whole
    def wait(self, kind, **condition):
        """Waits for a condition: wait("offset", topic="t", partition=0, offset=10, timeoutMs=5000)."""
        return self.call("POST", "/wait", {"kind": kind, **condition})

    def reset(self):
        return self.call("POST", "/reset")

    def metrics(self):
        return self.call("GET", "/metrics")

    def cluster(self):
        return self.call("GET", "/cluster")


class _Broker:
    def __init__(self, process, bootstrap_servers, control):
        self.process = process
        self.bootstrap_servers = bootstrap_servers
        self.control = control

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def start_broker(*args, command=None, cwd=None):
    """Starts `deno task broker --port 0 --control-port 0 ARGS`; returns it once it listens.

    `command` replaces the start of the command line (default: `deno task broker`, run in `cwd`,
    default the BROOK_HOME environment variable or the current directory).
    """
    argv = list(command or ["deno", "task", "--quiet", "broker"])
    argv += ["--port", "0", "--control-port", "0", *args]
    process = subprocess.Popen(
        argv,
        cwd=cwd or os.environ.get("BROOK_HOME"),
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    lines = [process.stdout.readline().strip(), process.stdout.readline().strip()]
    if not lines[0].startswith("listening on ") or not lines[1].startswith("control on "):
        process.kill()
        raise RuntimeError(f"the broker did not start: {lines}")
    bootstrap = lines[0][len("listening on "):]
    return _Broker(process, bootstrap, BrookControl(lines[1][len("control on "):]))
