"""Property constraints from the CloudFormation registry schemas that cfn-lint ships.

Gap: moto's CloudFormation engine checks no property against its type's schema, so
a template that CloudFormation refuses before calling any handler ("Properties
validation failed for resource X with message: ...") creates fine on moto.

cfn-lint 1.58.0 (pinned in scripts/requirements-local-aws.txt, already a dependency
of moto's server extra) carries the registry schemas:
``cfnlint/data/schemas/providers/<region>.json`` maps each type to
``cfnlint/data/schemas/resources/<hash>.json``. Those files already have cfn-lint's
patches applied (``cfnlint/data/schemas/patches``: corrections of the published
schemas, plus lengths and patterns taken from the service models); cfn-lint exempts
nothing else (its pattern rule E3031 has an ``exceptions`` list, empty by default),
and neither does this module. Nothing of cfn-lint is imported: the package is only
located, and each type's schema is read once, on first use, and cached.

Checked keywords, after intrinsic functions are resolved: ``pattern``,
``minLength``/``maxLength``, ``enum``/``const``, ``minimum``/``maximum`` (and the
exclusive forms), ``minItems``/``maxItems``; through ``$ref``, ``properties``,
``patternProperties``, ``additionalProperties``, ``items``, ``allOf``, and
``anyOf``/``oneOf`` (a value passes if one branch passes). Patterns have JSON
Schema's search semantics (as CloudFormation's validator and cfn-lint apply them)
and are compiled with the ``regex`` module (a cfn-lint dependency), which takes
ECMA/Java constructs Python's ``re`` refuses (``\\p{L}``, ``(?<name>``, ``\\z``); a
pattern that still does not compile is skipped with a logged warning.
``type``, ``required`` and ``additionalProperties: false`` are not checked.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import math
import os
from typing import Any, Iterator, NamedTuple

try:  # cfn-lint depends on it; fall back to re for a venv without it
    import regex as _re
except ImportError:  # pragma: no cover
    import re as _re  # type: ignore[no-redef]

logger = logging.getLogger("localaws")

KEYWORDS = ("pattern", "minLength", "maxLength", "enum", "const", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems")


class Violation(NamedTuple):
    """One failed keyword: the JSON pointer of the value (``#/Name``, ``#/Tags/0/Key``),
    the keyword and CloudFormation's message for it."""

    pointer: str
    keyword: str
    message: str


# --------------------------------------------------------------------------- loading


@functools.lru_cache(maxsize=1)
def schema_dir() -> str | None:
    """``cfnlint/data/schemas`` of the installed cfn-lint, found without importing it."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        logger.warning("cfn-lint is not installed: registry schema constraints are not checked")
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], "data", "schemas")


@functools.lru_cache(maxsize=None)
def _provider_map(region_name: str) -> dict[str, str]:
    base = schema_dir()
    if base is None:
        return {}
    path = os.path.join(base, "providers", f"{region_name}.json")
    if not os.path.exists(path):
        path = os.path.join(base, "providers", "us-east-1.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@functools.lru_cache(maxsize=None)
def schema_for(resource_type: str, region_name: str = "us-east-1") -> dict[str, Any] | None:
    """The registry schema of a type (cached), or None for a type cfn-lint does not know."""
    key = _provider_map(region_name).get(resource_type) or _provider_map("us-east-1").get(resource_type)
    base = schema_dir()
    if not key or base is None:
        return None
    with open(os.path.join(base, "resources", f"{key}.json"), encoding="utf-8") as handle:
        return json.load(handle)


def is_registry_type(resource_type: str) -> bool:
    """Whether CloudFormation provisions the type through registry handlers (its
    schema declares ``handlers``); such failures read ``Resource handler returned message: ...``."""
    schema = schema_for(resource_type)
    return bool(schema and schema.get("handlers"))


def name_identifier(resource_type: str) -> str | None:
    """The property that alone identifies a resource of the type and that the
    template sets (e.g. RoleName, LogGroupName, BucketName); None when the primary
    identifier is read-only (an ARN or id) or composite."""
    schema = schema_for(resource_type)
    if not schema:
        return None
    primary = schema.get("primaryIdentifier") or []
    read_only = set(schema.get("readOnlyProperties") or [])
    if len(primary) != 1 or primary[0] in read_only or not primary[0].startswith("/properties/"):
        return None
    name = primary[0][len("/properties/"):]
    return name if "/" not in name else None


# --------------------------------------------------------------------------- patterns

_TRANSLATIONS = (
    ("(?u)", ""),  # ECMA's unicode flag: Python str patterns are unicode already
    ("\\z", "\\Z"),
    ("\\h", "[ \\t]"),
)


@functools.lru_cache(maxsize=None)
def compile_pattern(pattern: str) -> Any:
    """A registry (ECMA-262/Java) pattern compiled for Python, or None (logged) if
    it cannot be; never raises."""
    candidates = [pattern]
    translated = pattern
    for old, new in _TRANSLATIONS:
        translated = translated.replace(old, new)
    if translated != pattern:
        candidates.append(translated)
    for candidate in candidates:
        try:
            return _re.compile(candidate)
        except Exception:  # regex.error, re.error, and anything odd
            continue
    logger.warning("registry schema pattern %r cannot be compiled in Python: not checked", pattern)
    return None


# --------------------------------------------------------------------------- validation


def _resolve_ref(root: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        return None
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _message(pointer: str, keyword: str, limit: Any, actual: Any) -> str:
    """CloudFormation's wording (its everit-based validator; messages that would show
    the value are replaced by ``failed validation constraint for keyword [...]``)."""
    if keyword == "maxLength":
        return f"{pointer}: expected maxLength: {limit}, actual: {actual}"
    if keyword == "minLength":
        return f"{pointer}: expected minLength: {limit}, actual: {actual}"
    if keyword == "maxItems":
        return f"{pointer}: expected maximum item count: {limit}, found: {actual}"
    if keyword == "minItems":
        return f"{pointer}: expected minimum item count: {limit}, found: {actual}"
    return f"{pointer}: failed validation constraint for keyword [{keyword}]"


def _pattern_subject(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return None


def _keyword_violations(schema: dict[str, Any], value: Any, pointer: str) -> Iterator[Violation]:
    if "pattern" in schema:
        subject = _pattern_subject(value)
        compiled = compile_pattern(schema["pattern"]) if subject is not None else None
        if compiled is not None and subject is not None and not compiled.search(subject):
            yield Violation(pointer, "pattern", _message(pointer, "pattern", None, None))
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            yield Violation(pointer, "maxLength", _message(pointer, "maxLength", schema["maxLength"], len(value)))
        if "minLength" in schema and len(value) < schema["minLength"]:
            yield Violation(pointer, "minLength", _message(pointer, "minLength", schema["minLength"], len(value)))
    if isinstance(value, (str, int, float, bool)):
        for keyword in ("enum", "const"):
            if keyword in schema:
                allowed = schema[keyword] if keyword == "enum" else [schema[keyword]]
                if value not in allowed and _scalar_text(value) not in {_scalar_text(a) for a in allowed}:
                    yield Violation(pointer, keyword, _message(pointer, keyword, None, None))
        number = _number(value)
        if number is not None:
            checks = (
                ("minimum", lambda limit: number < limit),
                ("maximum", lambda limit: number > limit),
                ("exclusiveMinimum", lambda limit: number <= limit),
                ("exclusiveMaximum", lambda limit: number >= limit),
            )
            for keyword, fails in checks:
                limit = schema.get(keyword)
                if isinstance(limit, (int, float)) and not isinstance(limit, bool) and fails(limit):
                    yield Violation(pointer, keyword, _message(pointer, keyword, None, None))
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            yield Violation(pointer, "maxItems", _message(pointer, "maxItems", schema["maxItems"], len(value)))
        if "minItems" in schema and len(value) < schema["minItems"]:
            yield Violation(pointer, "minItems", _message(pointer, "minItems", schema["minItems"], len(value)))


def _shape(pointer: str) -> str:
    """``#/Tags/3/Key`` -> ``/Tags/*/Key``: the form skip sets and summaries use."""
    parts = pointer[1:].split("/")
    return "/".join("*" if part.isdigit() else part for part in parts) or "/"


class _Walker:
    def __init__(self, root: dict[str, Any], skip: frozenset[str]):
        self.root = root
        self.skip = skip

    def walk(self, schema: Any, value: Any, pointer: str, depth: int = 0) -> list[Violation]:
        if not isinstance(schema, dict) or value is None or depth > 64:
            return []
        found: list[Violation] = []
        if "$ref" in schema:
            found += self.walk(_resolve_ref(self.root, schema["$ref"]), value, pointer, depth + 1)
        if _shape(pointer) not in self.skip:
            found += _keyword_violations(schema, value, pointer)
        for sub in schema.get("allOf") or []:
            found += self.walk(sub, value, pointer, depth + 1)
        for keyword in ("anyOf", "oneOf"):
            branches = [self.walk(sub, value, pointer, depth + 1) for sub in schema.get(keyword) or []]
            if branches and all(branches):
                found += branches[0]
        if isinstance(value, dict):
            properties = schema.get("properties") or {}
            patterns = schema.get("patternProperties") or {}
            additional = schema.get("additionalProperties")
            for key, item in value.items():
                child = f"{pointer}/{key}"
                matched = False
                if key in properties:
                    found += self.walk(properties[key], item, child, depth + 1)
                    matched = True
                for pattern, sub in patterns.items():
                    compiled = compile_pattern(pattern)
                    if compiled is not None and compiled.search(key):
                        found += self.walk(sub, item, child, depth + 1)
                        matched = True
                if not matched and isinstance(additional, dict):
                    found += self.walk(additional, item, child, depth + 1)
        if isinstance(value, list):
            items = schema.get("items")
            for index, item in enumerate(value):
                sub = items[index] if isinstance(items, list) and index < len(items) else items
                if isinstance(sub, dict):
                    found += self.walk(sub, item, f"{pointer}/{index}", depth + 1)
        return found


def validate(resource_type: str, properties: dict[str, Any], region_name: str = "us-east-1",
             skip: frozenset[str] = frozenset()) -> list[Violation]:
    """The registry-schema violations of a resource's resolved properties.

    ``skip`` holds property shapes (``/RoleName``, ``/Policies/*/PolicyName``) that a
    service-side check of ``constraints`` reports instead, with the service's text.
    """
    schema = schema_for(resource_type, region_name)
    if not schema or not isinstance(properties, dict):
        return []
    walker = _Walker(schema, skip)
    found: list[Violation] = []
    seen: set[tuple[str, str]] = set()
    for violation in walker.walk({"properties": schema.get("properties") or {}}, properties, "#"):
        if (violation.pointer, violation.keyword) not in seen:
            seen.add((violation.pointer, violation.keyword))
            found.append(violation)
    return found


def failure_message(logical_id: str, violations: list[Violation]) -> str:
    """The stack event CloudFormation writes when its schema validation fails."""
    return f"Properties validation failed for resource {logical_id} with message: [{', '.join(v.message for v in violations)}]"


# --------------------------------------------------------------------------- summary (docs)


def summary(resource_type: str) -> dict[str, list[str]]:
    """Property shape -> checked keywords, for the table in docs/local-aws.md."""
    schema = schema_for(resource_type)
    if not schema:
        return {}
    result: dict[str, set[str]] = {}

    def visit(node: Any, path: str, seen: frozenset[str]) -> None:
        if not isinstance(node, dict):
            return
        keywords = {k for k in KEYWORDS if k in node}
        if keywords:
            result.setdefault(path or "/", set()).update(keywords)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in seen:
            visit(_resolve_ref(schema, ref), path, seen | {ref})
        for key in ("properties", "patternProperties"):
            for name, sub in (node.get(key) or {}).items():
                visit(sub, f"{path}/{name}" if key == "properties" else f"{path}/<{name}>", seen)
        items = node.get("items")
        if isinstance(items, dict):
            visit(items, f"{path}/*", seen)
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key) or []:
                visit(sub, path, seen)

    for name, sub in (schema.get("properties") or {}).items():
        if f"/properties/{name}" in (schema.get("readOnlyProperties") or []):
            continue
        visit(sub, f"/{name}", frozenset())
    return {path: sorted(keys) for path, keys in sorted(result.items())}
