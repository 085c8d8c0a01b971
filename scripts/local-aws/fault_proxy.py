#!/usr/bin/env python3
"""A fault proxy in front of the local AWS: it passes requests on, except those
that match a rule, which it delays, resets, answers with an error, throttles or
holds forever. Standard library only.

    fault_proxy.py --target http://127.0.0.1:4566 [--port 0]

Prints ``FAULT_PROXY_URL=http://127.0.0.1:PORT`` on stdout once it listens.
The rules are set over HTTP on the same port (the tools never call these paths):

    PUT    /__faults       {"rules": [RULE, ...]}   replace the rules, clear the log
    GET    /__faults/log   [{"operation", "fault", "time"}, ...]  every request seen
    DELETE /__faults       no rules, empty log

A RULE is ``{"match": REGEX, "fault": KIND, "seconds": S, "times": N}``. REGEX is
searched in the request's operation, ``service:Action`` (``sts:GetCallerIdentity``,
``cloudformation:ExecuteChangeSet``, ``ecs:DescribeServices``; REST calls are
``s3:PUT /bucket/key``). The first rule that matches and has times left applies;
``times`` (default: every time) counts the requests it has changed. KIND is

- ``latency``: wait S seconds (default 1), then pass the request on;
- ``reset``: read the request, then reset the connection (TCP RST);
- ``500`` / ``503``: the service's own error document (InternalFailure,
  ServiceUnavailable) in its protocol (query XML, JSON, REST XML);
- ``throttle``: the service's throttling error (Throttling, ThrottlingException,
  S3's 503 SlowDown), as AWS sends it when a rate limit is hit;
- ``hang``: never answer (until the client gives up, or S seconds, default an hour);
- ``pass``: pass the request on (a rule that shields some requests from later rules).
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

KINDS = ("latency", "reset", "500", "503", "throttle", "hang", "pass")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class Rules:
    """The rules and the log, shared by the handler threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rules: list[dict] = []
        self.used: list[int] = []
        self.log: list[dict] = []

    def set(self, rules: list[dict]) -> None:
        for r in rules:
            if not isinstance(r, dict) or r.get("fault") not in KINDS or not isinstance(r.get("match"), str):
                raise ValueError(f"a rule needs match (a regex) and fault (one of {', '.join(KINDS)}): {r!r}")
            re.compile(r["match"])
        with self.lock:
            self.rules = rules
            self.used = [0] * len(rules)
            self.log = []

    def pick(self, operation: str) -> dict | None:
        """The rule for this request (counted), and the request logged."""
        with self.lock:
            chosen = None
            for i, r in enumerate(self.rules):
                times = r.get("times")
                if re.search(r["match"], operation) and (times is None or self.used[i] < times):
                    self.used[i] += 1
                    chosen = r
                    break
            self.log.append({"operation": operation, "fault": chosen["fault"] if chosen else "pass", "time": time.time()})
            return chosen


def operation(headers, body: bytes, method: str, path: str) -> tuple[str, str]:
    """``service:Action`` of a signed AWS request, and its protocol."""
    service = "unknown"
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("Authorization", ""))
    if m:
        service = m.group(1)
    target = headers.get("X-Amz-Target")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}", "json"
    if "x-www-form-urlencoded" in headers.get("Content-Type", ""):
        action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
        return f"{service}:{action}", "query"
    return f"{service}:{method} {urllib.parse.urlsplit(path).path}", "rest"


def error_document(kind: str, protocol: str, service: str) -> tuple[int, str, bytes]:
    """Status, content type and body of AWS's answer for a fault."""
    if kind == "throttle":
        if service == "s3":
            status, code, message = 503, "SlowDown", "Please reduce your request rate."
        else:
            status = 400
            code = "ThrottlingException" if protocol == "json" else "Throttling"
            message = "Rate exceeded"
    elif kind == "500":
        status, code, message = 500, "InternalFailure" if protocol != "rest" else "InternalError", "We encountered an internal error. Please try again."
    else:
        status, code, message = 503, "ServiceUnavailable" if protocol != "json" else "ServiceUnavailableException", "Service is unavailable. Please try again."
    if protocol == "json":
        return status, "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    if protocol == "query" or service != "s3":
        body = (
            f'<ErrorResponse xmlns="https://aws.amazon.com/"><Error><Type>{"Sender" if status < 500 else "Receiver"}</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
        )
    else:
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault-proxy</RequestId></Error>"
    return status, "text/xml", body.encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "Server"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _control(self, body: bytes) -> None:
        rules = self.server.rules
        try:
            if self.command == "PUT" and self.path == "/__faults":
                rules.set(json.loads(body or b"{}").get("rules", []))
                self._answer(200, "application/json", b"{}")
            elif self.command == "DELETE" and self.path == "/__faults":
                rules.set([])
                self._answer(200, "application/json", b"{}")
            elif self.command == "GET" and self.path == "/__faults/log":
                with rules.lock:
                    log = list(rules.log)
                self._answer(200, "application/json", json.dumps(log).encode())
            else:
                self._answer(404, "application/json", b'{"error": "no such control path"}')
        except (ValueError, AttributeError, re.error) as e:
            self._answer(400, "application/json", json.dumps({"error": str(e)}).encode())

    def _handle(self) -> None:
        body = self._body()
        if self.path.startswith("/__faults"):
            self._control(body)
            return
        op, protocol = operation(self.headers, body, self.command, self.path)
        rule = self.server.rules.pick(op)
        kind = rule["fault"] if rule else "pass"
        if kind == "latency":
            time.sleep(float(rule.get("seconds", 1)))
        elif kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        elif kind == "hang":
            end = time.time() + float(rule.get("seconds", 3600))
            while time.time() < end and not self.server.stopping.is_set():
                # Returns when the client closes the connection.
                self.connection.settimeout(0.1)
                try:
                    if self.connection.recv(1, socket.MSG_PEEK) == b"":
                        break
                except (TimeoutError, socket.timeout):
                    continue
                except OSError:
                    break
            self.close_connection = True
            return
        elif kind in ("500", "503", "throttle"):
            status, content_type, doc = error_document(kind, protocol, op.split(":", 1)[0])
            self._answer(status, content_type, doc)
            return
        self._forward(body)

    def _forward(self, body: bytes) -> None:
        target = self.server.target
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError as e:
            self._answer(502, "text/plain", f"fault proxy: the local AWS did not answer: {e}".encode())
            return
        finally:
            conn.close()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _handle


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, target: str) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.target = urllib.parse.urlsplit(target)
        self.rules = Rules()
        self.stopping = threading.Event()

    def shutdown(self) -> None:
        self.stopping.set()
        super().shutdown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="the local AWS, such as http://127.0.0.1:4566")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    args = parser.parse_args(argv)
    server = Server(args.port, args.target)
    print(f"FAULT_PROXY_URL=http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
