#!/usr/bin/env python3
"""Measure the Backstage backend of tests/backstage: npm ci and start-up.

  python3 tests/backstage/bench.py [--runs 3] [--env-file tests/backstage/example-env.json]

npm ci, cold (an empty npm cache of its own, so every package is downloaded)
and warm (the cache the last cold run filled; node_modules removed before each
run), --runs times each, with the size of node_modules; then run.py --runs
times (each with a new PostgreSQL, so the catalog's migrations run every time,
as on a first deployment): seconds from starting node to the first 200 of
Backstage's readiness endpoint, and the backend's RSS then. Prints a Markdown
table on stdout (progress on stderr); exits non-zero if a run fails.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run  # noqa: E402  (tests/backstage/run.py)


def npm_ci(cache):
    shutil.rmtree(HERE / "node_modules", ignore_errors=True)
    t0 = time.monotonic()
    r = subprocess.run(run.npm_ci_command() + ["--cache", str(cache)], cwd=HERE,
                       stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr)
    secs = time.monotonic() - t0
    if r.returncode != 0:
        sys.exit(f"bench.py: npm ci failed (exit {r.returncode})")
    return secs


def tree_size(path):
    apparent, files = 0, 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            apparent += p.stat().st_size
            files += 1
    disk = int(subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True).stdout.split()[0]) * 1024
    return apparent, disk, files


def span(xs, fmt="{:.1f}"):
    return [fmt.format(min(xs)), fmt.format(statistics.median(xs)), fmt.format(max(xs))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--env-file", default=str(HERE / "example-env.json"))
    ap.add_argument("--health-path", default=run.READINESS_PATH)
    ap.add_argument("--grace", type=float, default=120)
    ap.add_argument("--skip-npm", action="store_true", help="measure the start-up only")
    args = ap.parse_args()

    load_start = os.getloadavg()[0]
    rows = []
    if not args.skip_npm:
        caches = Path(tempfile.mkdtemp(prefix="bs-npm-cache-"))
        try:
            cold, warm = [], []
            for i in range(args.runs):
                cache = caches / f"c{i}"
                print(f"bench.py: npm ci, cold cache, run {i + 1}", file=sys.stderr, flush=True)
                cold.append(npm_ci(cache))
            for i in range(args.runs):
                print(f"bench.py: npm ci, warm cache, run {i + 1}", file=sys.stderr, flush=True)
                warm.append(npm_ci(cache))
        finally:
            shutil.rmtree(caches, ignore_errors=True)
        (HERE / run.LOCK_MARK).write_text(run.lock_hash() + "\n")  # run.py need not install again
        apparent, disk, files = tree_size(HERE / "node_modules")
        packages = len([k for k in json.loads((HERE / "package-lock.json").read_text())["packages"] if k])
        size = f"{apparent / 2**20:.0f} MiB ({disk / 2**20:.0f} MiB on disk, {files} files, {packages} packages)"
        rows.append(["npm ci, cold cache (s)", *span(cold), size])
        rows.append(["npm ci, warm cache (s)", *span(warm), "same"])

    starts, rss, peak, stops = [], [], [], []
    for i in range(args.runs):
        print(f"bench.py: run.py, run {i + 1}", file=sys.stderr, flush=True)
        r = subprocess.run([sys.executable, str(HERE / "run.py"), "--env-file", args.env_file,
                            "--health-path", args.health_path, "--grace", str(args.grace)],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            sys.exit(f"bench.py: run.py failed (exit {r.returncode})")
        res = json.loads(r.stdout.strip().splitlines()[-1])
        starts.append(res["startup_s"])
        rss.append(res["rss_mib"]["at_ready"])
        peak.append(res["rss_mib"]["peak"])
        stops.append(res["stop_s"])
    rows.append(["start-up to readiness 200 (s)", *span(starts, "{:.2f}"), ""])
    rows.append(["RSS at readiness (MiB)", *span(rss), f"peak {max(peak):.0f} MiB"])
    rows.append(["SIGTERM to exit (s)", *span(stops, "{:.2f}"), ""])

    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{args.runs} runs each; node {node}; {os.cpu_count()} CPUs; "
          f"1-min load average {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end\n")
    print("| what | min | median | max | note |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
