"""The stack's CloudFormation role must allow what each resource's handlers call.

Gap: moto creates, updates and deletes every resource whatever the stack's RoleARN
may do, so a CloudFormation role missing a permission deployed here and failed on
AWS with ``HandlerErrorCode: AccessDenied``.

With ``LOCAL_AWS_ENFORCE_IAM=1`` in the server's environment, every resource that a
stack operation with a role creates, updates or deletes (CreateChangeSet/
ExecuteChangeSet, CreateStack, UpdateStack, DeleteStack with a RoleARN, or the role
the stack remembers) is checked first: the role's policies must allow every action
its type's registry handlers list (``handlers.<operation>.permissions`` of the
schema cfn-lint ships, read through ``schemas.schema_for``): create -> create +
read (CloudFormation reads the resource after creating it), update -> update +
read, delete -> delete. Operations without a role (the caller's credentials) are
not checked.

The evaluation is conservative, to detect a missing ACTION without refusing what
AWS allows: the role's inline and attached managed policies, and its permissions
boundary if it has one, are read statement by statement:

- actions match case-insensitively with ``*``/``?`` wildcards (Action, NotAction);
- an Allow counts whatever its Resource/NotResource (the ARN a handler acts on is
  often not known before it acts); a Deny applies only where its Resource matches
  the resource's ARN (``*`` when unknown, i.e. on create);
- conditions are evaluated with the operators ``services._condition_holds``
  supports (Bool, StringEquals, StringNotEquals, StringLike) against the context
  known here (CONTEXT_KEYS); a condition on another key or operator cannot be
  decided: it holds for an Allow and does not for a Deny;
- an explicit Deny (in a policy or the boundary) wins; with a boundary, an action
  must also be allowed by it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import threading
from typing import Any, Iterator

from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition

from . import schemas
from .constraints import ResourceFailure
from .managed_policies import default_document
from .services import _condition_holds

logger = logging.getLogger("localaws")

ENFORCE_VARIABLE = "LOCAL_AWS_ENFORCE_IAM"  # "1": enforce; anything else: do not
# Off until the product's CloudFormation role grants the handler permissions.
ENFORCE_DEFAULT = "0"

# Types of bs-synth's stacks that are not checked, with why. Any other type without
# handlers in cfn-lint's schemas is not checked either, with a warning in the log.
UNCHECKED_TYPES = {
    # CloudFormation provisions it without registry handlers: the schema lists no
    # handler permissions.
    "AWS::CodeBuild::Project": "no handlers in its registry schema",
}

OPERATION_HANDLERS = {"create": ("create", "read"), "update": ("update", "read"), "delete": ("delete",)}

# The SDK's service name in the handler's message, by action prefix (default: the
# prefix capitalized).
SERVICE_NAMES = {
    "logs": "CloudWatchLogs", "elasticloadbalancing": "ElasticLoadBalancingV2", "acm": "Acm",
    "secretsmanager": "SecretsManager", "codepipeline": "CodePipeline", "codestar-notifications": "CodestarNotifications",
}

_acting = threading.local()


def enabled() -> bool:
    return os.environ.get(ENFORCE_VARIABLE, ENFORCE_DEFAULT) == "1"


@contextlib.contextmanager
def acting_as(role_arn: str | None) -> Iterator[None]:
    """The role CloudFormation acts with while a stack operation runs (None: the caller's credentials)."""
    previous = getattr(_acting, "role_arn", None)
    _acting.role_arn = role_arn
    try:
        yield
    finally:
        _acting.role_arn = previous


def required_actions(resource_type: str, operation: str) -> list[str] | None:
    """The sorted actions of the type's handlers for create/update/delete; None when
    cfn-lint's schema lists no handlers. A type without an update handler is
    replaced on update: its create handler's actions."""
    handlers = (schemas.schema_for(resource_type) or {}).get("handlers")
    if not handlers:
        return None
    names = list(OPERATION_HANDLERS[operation])
    if operation == "update" and "update" not in handlers:
        names[0] = "create"
    return sorted({action for name in names for action in (handlers.get(name) or {}).get("permissions", [])})


# --------------------------------------------------------------------------- evaluation


@functools.lru_cache(maxsize=None)
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(f"^{body}$", re.IGNORECASE if ignore_case else 0)


def _matches(patterns: Any, value: str, ignore_case: bool) -> bool:
    items = patterns if isinstance(patterns, list) else [patterns]
    return any(_pattern(str(item), ignore_case).match(value) for item in items)


def _concerns(statement: dict[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not _matches(statement["NotAction"], action, ignore_case=True)
    return _matches(statement.get("Action", []), action, ignore_case=True)


def _deny_applies_to(statement: dict[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return resource != "*" and not _matches(statement["NotResource"], resource, ignore_case=False)
    return _matches(statement.get("Resource", "*"), resource, ignore_case=False)


def _condition(statement: dict[str, Any], context: dict[str, str]) -> bool | None:
    """Whether the statement's Condition holds; None when it cannot be decided here."""
    condition = statement.get("Condition")
    if not condition:
        return True
    known = {key.lower(): value for key, value in context.items()}
    if any(key.lower() not in known for tests in condition.values() for key in tests):
        return None
    values = {key: known[key.lower()] for tests in condition.values() for key in tests}
    return _condition_holds(condition, values)


def verdict(statements: list[dict[str, Any]], action: str, resource: str, context: dict[str, str]) -> str:
    """"allowed", "denied" (an explicit Deny applies) or "implicit" (nothing allows it)."""
    allowed = False
    for statement in statements:
        if not _concerns(statement, action):
            continue
        holds = _condition(statement, context)
        if statement.get("Effect") == "Deny":
            if holds is True and _deny_applies_to(statement, resource):
                return "denied"
        elif statement.get("Effect") == "Allow" and holds is not False:
            allowed = True
    return "allowed" if allowed else "implicit"


def _statements(document: Any) -> list[dict[str, Any]]:
    parsed = json.loads(document) if isinstance(document, str) else document
    found = (parsed or {}).get("Statement") or []
    return [s for s in (found if isinstance(found, list) else [found]) if isinstance(s, dict)]


def role_statements(iam: Any, role: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """The statements of the role's inline and attached managed policies, and of its
    permissions boundary (None without one, or when the boundary policy is unknown)."""
    documents = list(role.policies.values()) + [default_document(p) for p in role.managed_policies.values()]
    identity = [s for document in documents for s in _statements(document)]
    boundary_arn = role.permissions_boundary_arn
    if not boundary_arn:
        return identity, None
    boundary = iam.managed_policies.get(boundary_arn)
    if boundary is None:
        logger.warning("permissions boundary %s of %s is not a known policy: not evaluated", boundary_arn, role.name)
        return identity, None
    return identity, _statements(default_document(boundary))


# --------------------------------------------------------------------------- the check


def resource_arn(model: Any) -> str:
    """The ARN of an existing resource model, or "*" when it has none."""
    arn = getattr(model, "arn", None)
    return arn if isinstance(arn, str) and arn.startswith("arn:") else "*"


@functools.lru_cache(maxsize=None)
def _warn_unchecked(resource_type: str) -> None:
    logger.warning("%s: no handler permissions in cfn-lint's schema, the stack role's permissions are not checked", resource_type)


def check(resource_type: str, operation: str, account_id: str, region_name: str, resource: str = "*") -> None:
    """Raise ResourceFailure, as the handler's AccessDenied, if enforcement is on, the
    stack operation acts with a role, and that role may not perform one of the
    type's handler actions for ``operation`` ("create", "update", "delete")."""
    role_arn = getattr(_acting, "role_arn", None)
    if not role_arn or not enabled():
        return
    actions = required_actions(resource_type, operation)
    if actions is None:
        if resource_type not in UNCHECKED_TYPES:
            _warn_unchecked(resource_type)
        return
    from moto.iam.models import iam_backends

    partition = get_partition(region_name)
    iam = iam_backends[account_id][partition]
    try:
        role = iam.get_role_by_arn(role_arn)
    except Exception:
        raise ResourceFailure(f"Role {role_arn} is invalid or cannot be assumed")
    identity, boundary = role_statements(iam, role)
    context = {"aws:PrincipalArn": role_arn, "aws:PrincipalAccount": account_id,
               "aws:RequestedRegion": region_name, "aws:SecureTransport": "true"}
    for action in actions:
        reason = _refusal(identity, boundary, action, resource, context)
        if reason:
            caller = f"arn:{partition}:sts::{account_id}:assumed-role/{role_arn.split('/')[-1]}/AWSCloudFormation"
            prefix = action.split(":")[0]
            raise ResourceFailure(
                f'Resource handler returned message: "User: {caller} is not authorized to perform: {action} '
                f"on resource: {resource} {reason} (Service: {SERVICE_NAMES.get(prefix, prefix.capitalize())}, "
                f'Status Code: 403, Request ID: {mock_random.uuid4()})" '
                f"(RequestToken: {mock_random.uuid4()}, HandlerErrorCode: AccessDenied)"
            )


def _refusal(identity: list[dict[str, Any]], boundary: list[dict[str, Any]] | None, action: str, resource: str,
             context: dict[str, str]) -> str | None:
    """AWS's reason for refusing the action, or None if it is allowed."""
    by_policy = verdict(identity, action, resource, context)
    by_boundary = "allowed" if boundary is None else verdict(boundary, action, resource, context)
    if by_policy == "denied":
        return "with an explicit deny in an identity-based policy"
    if by_boundary == "denied":
        return "with an explicit deny in a permissions boundary"
    if by_policy != "allowed":
        return f"because no identity-based policy allows the {action} action"
    if by_boundary != "allowed":
        return f"because no permissions boundary allows the {action} action"
    return None


if __name__ == "__main__":  # what a stack role needs: cd scripts/local-aws && ../../.venv-local-aws/bin/python -m localaws.handler_permissions
    from .constraints import STACK_TYPES

    needed = {t: {op: required_actions(t, op) for op in OPERATION_HANDLERS} for t in STACK_TYPES if t not in UNCHECKED_TYPES}
    print(json.dumps(needed, indent=1))
