"""Fixtures of the local AWS tests: one server for the session, reset per test.

The server is started through scripts/local-aws.sh on a free port with its own
LOCAL_AWS_DIR and stopped at the end; ``aws`` resets it (POST /moto-api/reset), so
the order of the tests does not matter. ``synth`` builds bs-synth with cargo, or
uses the binary named by LOCAL_AWS_BS_SYNTH (no build) when that is set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import REPO, client, free_port, parse_exports, run_script  # noqa: E402


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    port = free_port()
    directory = tmp_path_factory.mktemp("local-aws")
    started = run_script("start", port, directory)
    env = parse_exports(started.stdout)
    try:
        yield {"endpoint": env["AWS_ENDPOINT_URL"], "port": port, "dir": directory, "env": env}
    finally:
        run_script("stop", port, directory)


@pytest.fixture
def aws(server: dict[str, Any]) -> Any:
    """A reset server; ``aws("s3")`` is a boto3 client for it (``region=``, ``account=`` optional)."""
    request = urllib.request.Request(server["endpoint"] + "/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=30).read()

    def make(service: str, region: str = "us-east-1", account: str | None = None) -> Any:
        return client(server["endpoint"], service, region, account)

    return make


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``synth(config)`` -> the assembly directory bs-synth writes for that config."""
    given = os.environ.get("LOCAL_AWS_BS_SYNTH")
    if given:
        binary = tmp_path_factory.mktemp("bin") / "bs-synth"
        shutil.copy2(given, binary)  # a copy: a concurrent cargo build may replace the original
    else:
        subprocess.run(["cargo", "build", "-q", "-p", "bs-synth"], cwd=REPO, check=True, timeout=900)
        binary = REPO / "target" / "debug" / "bs-synth"

    def run(config: str | Path) -> Path:
        out = tmp_path_factory.mktemp(Path(config).stem)
        subprocess.run([str(binary), "--config", str(REPO / config), "--out", str(out)], cwd=REPO, check=True, capture_output=True)
        return out

    return run
