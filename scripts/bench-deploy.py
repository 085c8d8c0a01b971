#!/usr/bin/env python3
"""Benchmark: whole-process time of `bs-deploy` on the local AWS — a full first
deploy of the three stacks of the example config, and a no-change redeploy — beside
the same templates deployed with `aws cloudformation deploy` (awscli from PyPI)
on the same server, in the same run.

    python3 scripts/bench-deploy.py [--runs 5]

Builds the release binaries, starts its own local AWS (scripts/local-aws.sh on a
free port), and resets it before every first deploy. Prints a Markdown table;
docs/benchmarks.md holds the figures of the last run.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd, env, ok=(0,)) -> float:
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if p.returncode not in ok:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr[-2000:]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--quiet", "--release", "--locked", "--bins"], cwd=ROOT, check=True)
    venv_bin = subprocess.run([os.path.join(ROOT, "scripts/python-tools.sh"), "local-aws"], capture_output=True, text=True, check=True).stdout.strip()
    synth = os.path.join(ROOT, "target/release/bs-synth")
    deploy = os.path.join(ROOT, "target/release/bs-deploy")
    aws = os.path.join(venv_bin, "aws")

    state = tempfile.mkdtemp()
    port = free_port()
    env = dict(os.environ, LOCAL_AWS_PORT=str(port), LOCAL_AWS_DIR=state)
    out = subprocess.run(["bash", os.path.join(ROOT, "scripts/local-aws.sh"), "start"], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    for line in out.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            k, v = line[len("export "):].split("=", 1)
            env[k] = v.strip("'\"")
    env.pop("AWS_PROFILE", None)
    endpoint = env["AWS_ENDPOINT_URL"]

    try:
        assembly = os.path.join(state, "assembly")
        subprocess.run([synth, "--config", "configs/env-config.example.yaml", "--out", assembly, "--quiet"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        manifest = json.load(open(os.path.join(assembly, "manifest.json")))
        sizes = {s["name"]: s["template_bytes"] for s in manifest["stacks"]}

        def reset_with_zone() -> str:
            urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).read()
            z = subprocess.run([aws, "route53", "create-hosted-zone", "--name", "example.com", "--caller-reference", str(time.time()),
                                "--output", "json"], env=env, capture_output=True, text=True, check=True)
            # The repository the stack requires (bs-bootstrap makes it).
            subprocess.run([aws, "ecr", "create-repository", "--repository-name", "backstage"], env=env, capture_output=True, check=True)
            return json.loads(z.stdout)["HostedZone"]["Id"].split("/")[-1]

        bs_first, bs_again, cli_first, cli_again = [], [], [], []
        for _ in range(args.runs):
            reset_with_zone()
            cmd = [deploy, "--assembly", assembly, "--events", "lines", "--poll-interval", "1"]
            bs_first.append(timed(cmd, env))
            bs_again.append(timed(cmd, env))

            zone = reset_with_zone()
            def cli(stack: str, params) -> list:
                return [aws, "cloudformation", "deploy", "--stack-name", stack,
                        "--template-file", os.path.join(assembly, f"{stack}.template.json"),
                        "--capabilities", "CAPABILITY_NAMED_IAM", "--no-fail-on-empty-changeset"] + (
                            ["--parameter-overrides"] + params if params else [])
            start = time.perf_counter()
            timed(cli("backstage-bootstrap", []), env)
            timed(cli("backstage-pipeline", []), env)
            timed(cli("backstage", [f"HostedZoneIdExampleCom={zone}"]), env)
            cli_first.append(time.perf_counter() - start)
            start = time.perf_counter()
            timed(cli("backstage-bootstrap", []), env)
            timed(cli("backstage-pipeline", []), env)
            timed(cli("backstage", [f"HostedZoneIdExampleCom={zone}"]), env)
            cli_again.append(time.perf_counter() - start)

        print(f"Local AWS (moto, scripts/local-aws.sh), example config: "
              + ", ".join(f"{name} {size} bytes" for name, size in sizes.items())
              + f"; {args.runs} runs each; the three stacks per run.")
        print()
        print("| what | tool | min s | median s | max s |")
        print("|---|---|---:|---:|---:|")
        for what, tool, xs in (("first deploy", "bs-deploy", bs_first), ("first deploy", "aws cloudformation deploy", cli_first),
                               ("no-change redeploy", "bs-deploy", bs_again), ("no-change redeploy", "aws cloudformation deploy", cli_again)):
            print(f"| {what} | {tool} | {min(xs):.2f} | {statistics.median(xs):.2f} | {max(xs):.2f} |")
    finally:
        subprocess.run(["bash", os.path.join(ROOT, "scripts/local-aws.sh"), "stop"], env=env, capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
