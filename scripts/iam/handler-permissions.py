#!/usr/bin/env python3
"""Regenerates bs-synth/src/iam/handler_permissions.json: what CloudFormation's
resource handlers need, for exactly the resource types the stacks contain.

    scripts/iam/handler-permissions.py            # write the table
    scripts/iam/handler-permissions.py --check    # exit 1 if it is stale

Sources, both from the pinned cfn-lint (scripts/requirements-lint.txt):
- the CloudFormation registry schemas (`cfnlint/data/schemas`): each type's
  handler permissions (create, read, update, delete, list) and tagging
  permissions;
- the IAM Service Authorization data (`cfnlint/data/AdditionalSpecs/Policies.json`):
  the resource types each action can be scoped to.

The resource types and the properties the templates use come from the
templates of the stacks CloudFormation's role deploys (pipeline and backstage:
the bootstrap stack is an administrator's), as bs-synth makes them of every
config (configs/ and tests/configs/), so the
table covers what is deployed, and bs-synth's test fails when a template gains
a type or a property the table (as reviewed) does not know.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "bs-synth" / "src" / "iam" / "handler_permissions.json"
HANDLERS = ("create", "read", "update", "delete", "list")


def synthesized_templates() -> list[dict]:
    configs = sorted([ROOT / "configs" / "env-config.example.yaml", *(ROOT / "tests" / "configs").glob("*.yaml")])
    subprocess.run(["cargo", "build", "--quiet", "--locked", "-p", "bs-synth"], cwd=ROOT, check=True)
    synth = ROOT / "target" / "debug" / "bs-synth"
    templates = []
    for config in configs:
        out = subprocess.run([str(synth), "--config", str(config), "--quiet"], cwd=ROOT, check=True, capture_output=True, text=True)
        # The stacks CloudFormation's role deploys; the bootstrap stack is
        # deployed with an administrator's credentials (without_role).
        templates += [s["template"] for s in json.loads(out.stdout)["stacks"] if not s.get("without_role")]
    return templates


def used(templates: list[dict]) -> dict[str, set[str]]:
    """Resource type -> the properties the templates set on it."""
    out: dict[str, set[str]] = {}
    for template in templates:
        for resource in template["Resources"].values():
            out.setdefault(resource["Type"], set()).update((resource.get("Properties") or {}).keys())
    return out


def schema(schemas: Path, providers: dict, resource_type: str) -> dict:
    entry = providers[resource_type]
    return json.loads((schemas / "resources" / f"{entry}.json").read_text()) if isinstance(entry, str) else entry


def table() -> dict:
    cfnlint = resources.files("cfnlint") / "data"
    schemas = Path(str(cfnlint / "schemas"))
    providers = json.loads((schemas / "providers" / "us-east-1.json").read_text())
    policies = json.loads((Path(str(cfnlint)) / "AdditionalSpecs" / "Policies.json").read_text())
    types = {}
    actions: set[str] = set()
    for resource_type, properties in sorted(used(synthesized_templates()).items()):
        s = schema(schemas, providers, resource_type)
        handlers = {h: sorted(set((s.get("handlers") or {}).get(h, {}).get("permissions", []))) for h in HANDLERS}
        tagging = sorted(set((s.get("tagging") or {}).get("permissions", [])))
        types[resource_type] = {
            "handlers": handlers,
            "tagging": tagging,
            "properties": sorted(properties),
        }
        for perms in [*handlers.values(), tagging]:
            actions.update(perms)
    resource_types = {}
    for action in sorted(actions):
        service, name = action.split(":", 1)
        known = (policies.get(service) or {}).get("Actions", {}).get(name.lower())
        resource_types[action] = None if known is None else sorted(known.get("Resources") or [])
    return {
        "generator": "scripts/iam/handler-permissions.py",
        "cfn-lint": importlib.metadata.version("cfn-lint"),
        "types": types,
        "resource_types": resource_types,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if the checked-in table differs")
    args = parser.parse_args()
    text = json.dumps(table(), indent=1, sort_keys=True) + "\n"
    if args.check:
        if TABLE.read_text() != text:
            print(f"{TABLE.relative_to(ROOT)} is stale: run scripts/iam/handler-permissions.py and review the diff", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(text)
    print(f"wrote {TABLE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
