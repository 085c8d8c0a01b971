#!/usr/bin/env python3
"""Benchmark: time from start to a clear failure, for the faults of issue 13.

    python3 scripts/bench-faults.py [--runs 3] [--bin-dir target/release]

Each case runs bs-status and bs-deploy (the example config, its assembly on
stdin) with dummy credentials against the fault proxy
(scripts/local-aws/fault_proxy.py) or a port nothing listens on, and records
the median wall time, the exit code and the error line. The proxy answers
every request itself (throttling, 503, hang), so no local AWS is needed.
Builds nothing: run `cargo build --release --bins` first (or point --bin-dir
at target/debug; the times are waits, not CPU). Prints a Markdown table;
docs/benchmarks.md holds the figures of the last run.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import json
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "configs/env-config.example.yaml")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_proxy() -> tuple[subprocess.Popen, str]:
    # The target is never reached: every rule below answers itself.
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "scripts/local-aws/fault_proxy.py"), "--target", f"http://127.0.0.1:{free_port()}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()
    return proc, line.split("=", 1)[1]


def set_rules(url: str, rules: list) -> None:
    req = urllib.request.Request(url + "/__faults", data=json.dumps({"rules": rules}).encode(), method="PUT")
    urllib.request.urlopen(req, timeout=5).read()


def env(home: str, endpoint: str | None, credentials: bool, imds: bool) -> dict:
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "RUST_LOG"}
    e.update({"HOME": home, "AWS_REGION": "us-east-1"})
    if not imds:
        e["AWS_EC2_METADATA_DISABLED"] = "true"
    if credentials:
        e.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})
    if endpoint:
        e["AWS_ENDPOINT_URL"] = endpoint
    return e


def run(bin_dir: str, tool: str, extra: list, environ: dict, stdin: bytes, interrupt_after: float | None) -> tuple[float, int, str]:
    args = [os.path.join(bin_dir, tool)]
    if tool == "bs-status":
        args += ["--config", CONFIG, "--json"]
    args += extra
    start = time.monotonic()
    proc = subprocess.Popen(args, env=environ, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if interrupt_after is None:
        _, err = proc.communicate(stdin, timeout=600)
    else:
        proc.stdin.write(stdin)
        proc.stdin.close()
        time.sleep(interrupt_after)
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        err = proc.stderr.read()
        proc.wait(timeout=60)
    took = time.monotonic() - start
    line = next((l for l in err.decode().splitlines() if l.startswith("error: ")), "")
    return took, proc.returncode, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bin-dir", default=os.path.join(ROOT, "target/release"))
    args = parser.parse_args()
    for tool in ("bs-synth", "bs-status", "bs-deploy"):
        if not os.path.exists(os.path.join(args.bin_dir, tool)):
            sys.exit(f"bench-faults: {args.bin_dir}/{tool} is missing: run cargo build --release --bins")
    assembly = subprocess.run([os.path.join(args.bin_dir, "bs-synth"), "--config", CONFIG], check=True, capture_output=True).stdout
    proxy, url = start_proxy()
    closed = f"http://127.0.0.1:{free_port()}"
    home = tempfile.mkdtemp()
    cases = [
        # name, rules, endpoint, credentials, imds, extra args, runs, interrupt after
        ("no credentials (EC2 metadata disabled)", None, closed, False, False, [], args.runs, None),
        ("no credentials (EC2 metadata enabled; this machine's answers 403)", None, closed, False, True, [], args.runs, None),
        ("unknown --profile", None, closed, True, False, ["--profile", "nosuch"], args.runs, None),
        ("refused endpoint", None, closed, True, False, [], args.runs, None),
        ("hung endpoint, default --call-timeout (30 s)", [{"match": ".", "fault": "hang"}], url, True, False, [], 1, None),
        ("hung endpoint, --call-timeout 5", [{"match": ".", "fault": "hang"}], url, True, False, ["--call-timeout", "5"], args.runs, None),
        ("hung endpoint, Ctrl-C (time from SIGINT to exit)", [{"match": ".", "fault": "hang"}], url, True, False, [], args.runs, 1.0),
        ("throttled on every call (6 attempts)", [{"match": ".", "fault": "throttle"}], url, True, False, [], args.runs, None),
        ("HTTP 503 on every call (6 attempts)", [{"match": ".", "fault": "503"}], url, True, False, [], args.runs, None),
    ]
    print("| fault | tool | median s | exit | error line (shortened) |")
    print("|---|---|---:|---:|---|")
    try:
        for name, rules, endpoint, creds, imds, extra, runs, interrupt in cases:
            if rules is not None:
                set_rules(url, rules)
            for tool in ("bs-status", "bs-deploy"):
                stdin = assembly if tool == "bs-deploy" else b""
                results = [run(args.bin_dir, tool, extra, env(home, endpoint, creds, imds), stdin, interrupt) for _ in range(runs)]
                took = statistics.median(r[0] for r in results)
                code, line = results[-1][1], results[-1][2]
                short = line[7:110] + ("…" if len(line) > 110 else "")
                print(f"| {name} | {tool} | {took:.2f} | {code} | {short} |", flush=True)
    finally:
        proxy.terminate()
        proxy.wait()


if __name__ == "__main__":
    main()
