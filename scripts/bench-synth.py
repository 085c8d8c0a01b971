#!/usr/bin/env python3
"""Benchmark: whole-process time and peak memory of `bs-synth` for 1, 2 and 5
stages, and for the largest stage count that still fits one stack.

    python3 scripts/bench-synth.py [--runs 50] [--binary target/release/bs-synth]

Builds the release binary unless --binary is given. Prints a Markdown table
(docs/benchmarks.md holds the figures of the last run). Each run is a fresh
process: `bs-synth --config C > /dev/null`, timed from spawn to exit; peak RSS
comes from GNU time.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

COMMON = """common:
  AWS_ACCOUNT: "123456789012"
  AWS_REGION: us-east-1
  TAG_STACK_NAME: backstage
  GITHUB_ORG: example-org
  GITHUB_APP_REPO: backstage-app
  GITHUB_INFRA_REPO: backstage-infra
  CODESTAR_CONN_ARN: arn:aws:codestar-connections:us-east-1:123456789012:connection/11111111-2222-3333-4444-555555555555
  CODESTAR_NOTIFY_ARN: arn:aws:chatbot::123456789012:chat-configuration/slack-channel/deploys
  GITHUB_APP_ARN: arn:aws:secretsmanager:us-east-1:123456789012:secret:backstage/github-app-AbCdEf
  DOMAIN_NAME: example.com
  AWS_AUTH_SECRET_NAME: backstage/aws-auth
  NODE_ENV: production
stages:
"""


def config(stages: int) -> str:
    """The example's shape: every stage with its own GitHub auth secret; every
    stage after the first behind an approval gate that e-mails one address."""
    text = COMMON
    for i in range(stages):
        text += f"  stage{i + 1}:\n    HOST_NAME: backstage-{i + 1}\n"
        text += f"    GITHUB_AUTH_SECRET_NAME: backstage/stage{i + 1}/github-auth\n"
        if i > 0:
            text += "    STAGE_APPROVAL: true\n    APPROVAL_EMAILS: [platform@example.com]\n"
    return text


def run_once(binary: str, path: str) -> tuple[float, int]:
    devnull = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0), (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    start = time.perf_counter()
    pid = os.posix_spawn(binary, [binary, "--config", path, "--quiet"], os.environ, file_actions=devnull)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, os.waitstatus_to_exitcode(status)


def peak_rss_mib(binary: str, path: str) -> str:
    """Peak RSS from GNU time (Debian package `time`): a child of a small
    process, so the figure is bs-synth's own (a child of Python inherits
    Python's high-water mark through exec)."""
    if not os.path.exists("/usr/bin/time"):
        return "n/a (apt-get install time)"
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name, binary, "--config", path, "--quiet"],
                       stdout=subprocess.DEVNULL, check=True)
        return f"{int(out.read().split()[-1]) / 1024:.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--binary")
    args = ap.parse_args()
    binary = args.binary
    if not binary:
        subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "bs-synth"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "bs-synth")

    with tempfile.TemporaryDirectory() as tmp:
        def path_for(n: int) -> str:
            p = os.path.join(tmp, f"stages-{n}.yaml")
            with open(p, "w") as f:
                f.write(config(n))
            return p

        # The largest stage count whose stack still fits CloudFormation's limits.
        largest = 1
        while run_once(binary, path_for(largest + 1))[1] == 0:
            largest += 1
        over = run_once(binary, path_for(largest + 1))
        assert over[1] == 2, f"{largest + 1} stages: expected exit 2, got {over[1]}"

        print(f"bs-synth whole-process runs: {args.runs} per row; binary {os.path.relpath(binary, ROOT)}")
        print(f"largest stage count that fits one stack: {largest} (at {largest + 1} bs-synth exits 2: over 500 resources)")
        print()
        print("| stages | resources (backstage stack) | template bytes | min ms | median ms | mean ms | max ms | peak RSS MiB |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in (1, 2, 5, largest):
            p = path_for(n)
            out = subprocess.run([binary, "--config", p, "--verbose"], capture_output=True, text=True)
            res, size = "?", "?"
            for line in out.stderr.splitlines():
                if line.startswith("backstage: "):
                    parts = line.split()
                    res, size = parts[1], parts[3]
            times = []
            for _ in range(args.runs):
                t, code = run_once(binary, p)
                if code != 0:
                    print(f"{n} stages: exit {code}", file=sys.stderr)
                    return 1
                times.append(t * 1000)
            print(
                f"| {n} | {res} | {size} | {min(times):.2f} | {statistics.median(times):.2f} | "
                f"{statistics.mean(times):.2f} | {max(times):.2f} | {peak_rss_mib(binary, p)} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
