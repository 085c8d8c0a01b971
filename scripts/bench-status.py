#!/usr/bin/env python3
"""Benchmark: whole-process time of `bs-status --json` on the local AWS, for a
2-stage config (configs/env-config.example.yaml) and a 5-stage one
(tests/configs/five-stages.yaml), beside the same binary making the same calls
one after another (`--sequential`, a hidden flag kept for this comparison).

    python3 scripts/bench-status.py [--runs 20]

Builds the release binaries, starts its own local AWS (scripts/local-aws.sh on a
free port), deploys the three stacks of each config and gives every stage an image
(by tag, so the digest lookup in ECR is part of the work). Each is timed twice:
straight against the local AWS, and through a TCP proxy that holds every request
for --latency-ms (default 40) before passing it on, as a round trip to an AWS
region would. The local AWS is CPU-bound Python on the same 2 cores, so straight
runs show the tool's overhead; the proxied runs show what running the calls at
once buys. Prints a Markdown table; docs/benchmarks.md holds the figures of the
last run.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = (("configs/env-config.example.yaml", "us-east-1"), ("tests/configs/five-stages.yaml", "us-west-2"))
MANIFEST = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": "sha256:" + "b" * 64},
    "layers": [],
})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def latency_proxy(target_port: int, delay: float) -> int:
    """A TCP proxy on a free port: each chunk a client sends waits `delay` s
    before it reaches the server (requests here are one small chunk each)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def pump(src: socket.socket, dst: socket.socket, wait: float) -> None:
        try:
            while data := src.recv(65536):
                if wait:
                    time.sleep(wait)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def accept() -> None:
        while True:
            client, _ = listener.accept()
            server = socket.create_connection(("127.0.0.1", target_port))
            threading.Thread(target=pump, args=(client, server, delay), daemon=True).start()
            threading.Thread(target=pump, args=(server, client, 0.0), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def run(cmd, env, ok=(0,), stdin=None) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, env=env, cwd=ROOT, input=stdin, capture_output=True)
    if p.returncode not in ok:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr.decode()[-2000:]}")
    return p


def timed(cmd, env, ok) -> float:
    start = time.perf_counter()
    run(cmd, env, ok)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--latency-ms", type=float, default=40.0)
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--quiet", "--release", "--locked", "--bins"], cwd=ROOT, check=True)
    venv_bin = subprocess.run([os.path.join(ROOT, "scripts/python-tools.sh"), "local-aws"], capture_output=True, text=True, check=True).stdout.strip()
    target = os.path.join(ROOT, "target/release")
    synth, deploy, status = (os.path.join(target, b) for b in ("bs-synth", "bs-deploy", "bs-status"))
    aws = os.path.join(venv_bin, "aws")

    state = tempfile.mkdtemp()
    env = dict(os.environ, LOCAL_AWS_PORT=str(free_port()), LOCAL_AWS_DIR=state)
    out = subprocess.run(["bash", os.path.join(ROOT, "scripts/local-aws.sh"), "start"], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    for line in out.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            k, v = line[len("export "):].split("=", 1)
            env[k] = v.strip("'\"")
    env.pop("AWS_PROFILE", None)
    endpoint = env["AWS_ENDPOINT_URL"]
    proxied = dict(env, AWS_ENDPOINT_URL=f"http://127.0.0.1:{latency_proxy(int(env['LOCAL_AWS_PORT']), args.latency_ms / 1000)}")

    rows = []
    try:
        for config, region in CONFIGS:
            urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).read()
            run([aws, "route53", "create-hosted-zone", "--name", "example.com", "--caller-reference", str(time.time())], env)
            # The repository the stack requires (bs-bootstrap makes it).
            run([aws, "ecr", "create-repository", "--region", region, "--repository-name", "backstage"], env)
            run([deploy, "--events", "lines", "--poll-interval", "0.2"], env, stdin=run([synth, "--config", config], env).stdout)
            ids = [p[len("Image"):] for p in json.loads(run([synth, "--config", config], env).stdout)["stacks"][-1]["parameters"] if p.startswith("Image")]
            run([aws, "ecr", "put-image", "--region", region, "--repository-name", "backstage", "--image-tag", "v1", "--image-manifest", MANIFEST], env)
            image = f"123456789012.dkr.ecr.{region}.amazonaws.com/backstage:v1"
            params = [a for i in ids for a in ("--parameter", f"Image{i}={image}")]
            run([deploy, "--events", "lines", "--poll-interval", "0.2", *params], env,
                stdin=run([synth, "--config", config, "--stack", "backstage"], env).stdout)
            report = json.loads(run([status, "--config", config, "--json"], env).stdout)
            assert report["health"] == "healthy", report
            stages = len(report["stages"])
            for where, e in (("local", env), (f"+{args.latency_ms:g} ms a call", proxied)):
                for mode, extra in (("at once (default)", []), ("one after another (--sequential)", ["--sequential"])):
                    xs = [timed([status, "--config", config, "--json", *extra], e, (0,)) for _ in range(args.runs)]
                    rows.append((stages, where, mode, xs))
        print(f"Local AWS (moto, scripts/local-aws.sh); every stage deployed with an image; {args.runs} runs each; "
              "whole process, release build.")
        print()
        print("| stages | endpoint | calls | min ms | median ms | max ms |")
        print("|---:|---|---|---:|---:|---:|")
        for stages, where, mode, xs in rows:
            print(f"| {stages} | {where} | {mode} | {min(xs) * 1000:.0f} | {statistics.median(xs) * 1000:.0f} | {max(xs) * 1000:.0f} |")
    finally:
        subprocess.run(["bash", os.path.join(ROOT, "scripts/local-aws.sh"), "stop"], env=env, capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
