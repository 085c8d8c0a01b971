#!/usr/bin/env python3
"""Runs moto's server with the local AWS plugin (scripts/local-aws/localaws).

    launcher.py [--host 127.0.0.1] [--port 4566]

Started by scripts/local-aws.sh, with the venv of `scripts/python-tools.sh
local-aws`. The plugin must be installed before moto's CloudFormation engine first
builds its (cached) list of resource models, hence before the server starts.
With INITIAL_NO_AUTH_ACTION_COUNT set (moto authorizes requests after that many),
it also installs ``localaws.iam_auth``: IAM policies evaluated as bs's roles need.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import localaws  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOCAL_AWS_PORT", "4566")))
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # moto warns about every resource type it skips; with the plugin that should not
    # happen, so keep those warnings visible in the log (once each).
    warnings.simplefilter("default")

    localaws.install()
    from localaws import iam_auth

    if iam_auth.enabled():
        iam_auth.install()
        logging.getLogger("localaws").info("IAM authorization after %s unchecked requests", os.environ["INITIAL_NO_AUTH_ACTION_COUNT"])
    logging.getLogger("localaws").info("plugin installed; moto server on http://%s:%d", args.host, args.port)

    from moto import server

    server.main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
