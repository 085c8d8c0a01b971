"""The fault proxy's own behaviour: operation names, rules, error documents, and
each fault as a client sees it (the tools' side is tests/tests/faults.rs)."""

from __future__ import annotations

import http.client
import http.server
import json
import socket
import threading
import time

import pytest

import fault_proxy


class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = json.dumps({"echo": body.decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def serve(server) -> threading.Thread:
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    return t


@pytest.fixture()
def proxy():
    target = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    serve(target)
    p = fault_proxy.Server(0, f"http://127.0.0.1:{target.server_address[1]}")
    serve(p)
    yield p
    p.shutdown()
    target.shutdown()


AUTH = "AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=x"


def call(p, service: str, action: str, *, json_protocol: bool = False, timeout: float = 5) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", p.server_address[1], timeout=timeout)
    headers = {"Authorization": AUTH.format(service=service)}
    if json_protocol:
        headers.update({"X-Amz-Target": f"Prefix_20141113.{action}", "Content-Type": "application/x-amz-json-1.1"})
        body = "{}"
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        body = f"Action={action}&Version=2011-06-15"
    conn.request("POST", "/", body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def test_operations_are_named_by_service_and_action() -> None:
    h = {"Authorization": AUTH.format(service="ecs"), "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DescribeServices"}
    assert fault_proxy.operation(h, b"{}", "POST", "/") == ("ecs:DescribeServices", "json")
    h = {"Authorization": AUTH.format(service="sts"), "Content-Type": "application/x-www-form-urlencoded"}
    assert fault_proxy.operation(h, b"Action=GetCallerIdentity&Version=1", "POST", "/") == ("sts:GetCallerIdentity", "query")
    h = {"Authorization": AUTH.format(service="s3")}
    assert fault_proxy.operation(h, b"", "PUT", "/bucket/key?x=1") == ("s3:PUT /bucket/key", "rest")


def test_rules_are_checked() -> None:
    rules = fault_proxy.Rules()
    with pytest.raises(ValueError):
        rules.set([{"match": ".", "fault": "explode"}])
    with pytest.raises(ValueError):
        rules.set([{"fault": "hang"}])


def test_throttling_is_each_protocols_own_document() -> None:
    status, ctype, body = fault_proxy.error_document("throttle", "query", "cloudformation")
    assert (status, ctype) == (400, "text/xml") and b"<Code>Throttling</Code>" in body
    status, _, body = fault_proxy.error_document("throttle", "json", "ecs")
    assert status == 400 and json.loads(body)["__type"] == "ThrottlingException"
    status, _, body = fault_proxy.error_document("throttle", "rest", "s3")
    assert status == 503 and b"<Code>SlowDown</Code>" in body


def test_a_rule_applies_its_times_then_requests_pass_and_are_logged(proxy) -> None:
    proxy.rules.set([{"match": "^sts:", "fault": "503", "times": 2}])
    assert call(proxy, "sts", "GetCallerIdentity")[0] == 503
    assert call(proxy, "sts", "GetCallerIdentity")[0] == 503
    status, body = call(proxy, "sts", "GetCallerIdentity")
    assert status == 200 and b"Action=GetCallerIdentity" in body
    assert call(proxy, "cloudformation", "DescribeStacks")[0] == 200
    assert [(e["operation"], e["fault"]) for e in proxy.rules.log] == [
        ("sts:GetCallerIdentity", "503"),
        ("sts:GetCallerIdentity", "503"),
        ("sts:GetCallerIdentity", "pass"),
        ("cloudformation:DescribeStacks", "pass"),
    ]


def test_reset_breaks_the_connection(proxy) -> None:
    proxy.rules.set([{"match": ".", "fault": "reset"}])
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        call(proxy, "sts", "GetCallerIdentity")


def test_hang_never_answers_and_latency_delays(proxy) -> None:
    proxy.rules.set([{"match": "GetCallerIdentity", "fault": "hang"}, {"match": ".", "fault": "latency", "seconds": 0.3}])
    with pytest.raises((socket.timeout, TimeoutError)):
        call(proxy, "sts", "GetCallerIdentity", timeout=0.5)
    start = time.monotonic()
    status, _ = call(proxy, "ecs", "ListClusters", json_protocol=True)
    assert status == 200 and time.monotonic() - start >= 0.3
