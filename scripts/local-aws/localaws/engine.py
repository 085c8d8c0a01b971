"""Patches to moto 5.2.5's CloudFormation engine: change sets, templates, updates.

bs-deploy deploys through change sets: CreateChangeSet (CREATE or UPDATE) ->
DescribeChangeSet -> ExecuteChangeSet (by ARN) -> DescribeStacks/DescribeStackEvents
-> Outputs, then DeleteStack. Each function below fixes one place where moto's
engine does not behave like CloudFormation on that path; its docstring names the gap.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
from typing import Any
from urllib.parse import unquote, urlparse

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation import utils as cfn_utils
from moto.cloudformation.exceptions import CloudFormationError, ValidationError
from moto.core.responses import ActionResult, EmptyResult
from moto.iam.models import iam_backends
from moto.s3.models import s3_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.ssm.models import ssm_backends
from moto.utilities.utils import get_partition

from . import constraints, handler_permissions

logger = logging.getLogger("localaws")

TEMPLATE_BODY_LIMIT = 51_200  # bytes; larger templates must come from S3 (TemplateURL)


class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"


class ChangeSetAlreadyExists(CloudFormationError):
    code = "AlreadyExistsException"


# --------------------------------------------------------------------------- TemplateURL

_VIRTUAL_HOST = re.compile(r"^(?P<bucket>.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$")


def bucket_and_key_from_template_url(url: str) -> tuple[str, str]:
    """Bucket and key of a TemplateURL. Accepted forms:

    - https://<bucket>.s3.<region>.amazonaws.com/<key> (and <bucket>.s3.amazonaws.com)
    - https://s3.<region>.amazonaws.com/<bucket>/<key> (path style, AWS host)
    - http://127.0.0.1:<port>/<bucket>/<key>, http://localhost:<port>/<bucket>/<key>,
      or any other non-AWS host: path style on the local endpoint
    """
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    path = unquote(parsed.path.lstrip("/"))
    match = _VIRTUAL_HOST.match(host)
    if match:
        return match.group("bucket"), path
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise ValidationError(message=f"TemplateURL must be a supported URL: {url}")
    return bucket, key


def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
    """Read a TemplateURL's template from moto's S3.

    Gap: moto reads path-style URLs only from hosts named "localhost" or
    s3*.amazonaws.com; http://127.0.0.1:<port>/<bucket>/<key> (the local endpoint)
    was parsed as bucket "127", and buckets with dots in their names failed.
    """
    bucket, key = bucket_and_key_from_template_url(template_url)
    backend = s3_backends[account_id][partition]
    try:
        obj = backend.get_object(bucket, key)
    except Exception as error:  # MissingBucket, MissingKey
        raise ValidationError(message=f"S3 error: cannot read {template_url}: {error}")
    if obj is None:
        raise ValidationError(message=f"S3 error: cannot read {template_url}: no such key")
    return obj.value.decode("utf-8")


# --------------------------------------------------------------------------- template size


def _check_template_body(response: Any) -> None:
    body = response._get_param("TemplateBody")
    if body and len(body.encode("utf-8")) > TEMPLATE_BODY_LIMIT:
        raise ValidationError(
            message="1 validation error detected: Value at 'templateBody' failed to satisfy constraint: "
            f"Member must have length less than or equal to {TEMPLATE_BODY_LIMIT}"
        )


def _limit_template_body(method: Any) -> Any:
    """TemplateBody is limited to 51,200 bytes, as in CloudFormation.

    Gap: moto accepts any size, so a deploy tool that forgets to upload a large
    template to S3 would pass here and fail on AWS.
    """

    def wrapper(self: Any) -> Any:
        _check_template_body(self)
        return method(self)

    wrapper.__doc__ = method.__doc__
    return wrapper


# --------------------------------------------------------------------------- dynamic references

_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:(secretsmanager|ssm|ssm-secure):([^}]*)\}\}")


def _secret_reference(body: str, account_id: str, region_name: str) -> str:
    parts = body.split(":")
    if body.startswith("arn:"):
        secret_id, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret_id, rest = parts[0], parts[1:]
    rest += [""] * (4 - len(rest))
    _secret_string, json_key, version_stage, version_id = rest[:4]
    backend = secretsmanager_backends[account_id][region_name]
    try:
        value = backend.get_secret_value(secret_id, version_id or None, version_stage or None)["SecretString"]
    except Exception as error:
        raise ValidationError(message=f"Could not resolve {{{{resolve:secretsmanager:{body}}}}}: {error}")
    if json_key:
        try:
            return str(json.loads(value)[json_key])
        except (ValueError, KeyError, TypeError):
            raise ValidationError(message=f"Could not find a value associated with JSONKey in SecretString: {json_key}")
    return value


def _ssm_reference(body: str, account_id: str, region_name: str) -> str:
    parameter = ssm_backends[account_id][region_name].get_parameter(body)
    if parameter is None:
        raise ValidationError(message=f"Parameters: [{body}] cannot be found.")
    return parameter.value


def resolve_dynamic_references(value: Any, account_id: str, region_name: str) -> Any:
    """Replace ``{{resolve:secretsmanager:...}}`` and ``{{resolve:ssm[-secure]:...}}`` in strings."""
    if isinstance(value, str):
        if "{{resolve:" not in value:
            return value

        def lookup(match: re.Match[str]) -> str:
            service, body = match.group(1), match.group(2)
            if service == "secretsmanager":
                return _secret_reference(body, account_id, region_name)
            return _ssm_reference(body, account_id, region_name)

        return _DYNAMIC_REFERENCE.sub(lookup, value)
    if isinstance(value, dict):
        return {k: resolve_dynamic_references(v, account_id, region_name) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_dynamic_references(v, account_id, region_name) for v in value]
    return value


_original_parse_resource = parsing.parse_resource


def _parse_resource(resource_json: dict[str, Any], resources_map: Any) -> Any:
    """Resolve dynamic references in a resource's properties before it is created/updated.

    Gap: moto passes ``{{resolve:secretsmanager:<arn>:SecretString:password}}`` on
    literally, so e.g. an Aurora cluster's MasterUsername is that string.
    """
    parsed = _original_parse_resource(resource_json, resources_map)
    if not parsed:
        return parsed
    resource_class, cleaned, resource_type = parsed
    cleaned = resolve_dynamic_references(cleaned, resources_map._account_id, resources_map._region_name)
    return resource_class, cleaned, resource_type


# --------------------------------------------------------------------------- failing resources

_original_parse_and_create_resource = parsing.parse_and_create_resource
_original_parse_and_update_resource = parsing.parse_and_update_resource


def _mark_failure(error: BaseException, logical_id: str, resource_json: dict[str, Any]) -> None:
    if not hasattr(error, "localaws_logical_id"):
        try:
            error.localaws_logical_id = logical_id  # type: ignore[attr-defined]
            error.localaws_resource_type = resource_json.get("Type", "")  # type: ignore[attr-defined]
        except AttributeError:
            pass


_operation = threading.local()  # "create" / "update" while moto's engine makes a resource


def _checked(operation: str, original: Any, logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str) -> Any:
    previous = getattr(_operation, "value", None)
    _operation.value = operation
    try:
        resource = original(logical_id, resource_json, resources_map, account_id, region_name)
    except Exception as error:
        _mark_failure(error, logical_id, resource_json)
        raise
    finally:
        _operation.value = previous
    target = (getattr(resources_map, "localaws_targets", None) or {}).pop(logical_id, None)
    if resource is not None and target is not None:
        constraints.record(target)
        resources_map.localaws_resolved = getattr(resources_map, "localaws_resolved", {})
        resources_map.localaws_resolved[logical_id] = target.properties
    return resource


def _parse_and_create_resource(logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str) -> Any:
    """Check the resource as AWS would (``constraints``); remember which resource
    failed, for a resource-level CREATE_FAILED event."""
    return _checked("create", _original_parse_and_create_resource, logical_id, resource_json, resources_map, account_id, region_name)


def _parse_and_update_resource(logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str) -> Any:
    """Check the resource as AWS would (``constraints``); remember which resource
    failed, for a resource-level UPDATE_FAILED event."""
    return _checked("update", _original_parse_and_update_resource, logical_id, resource_json, resources_map, account_id, region_name)


_original_parse_resource_and_generate_name = parsing.parse_resource_and_generate_name


def _parse_resource_and_generate_name(logical_id: str, resource_json: dict[str, Any], resources_map: Any) -> Any:
    """Validate a resource's resolved properties before moto creates/updates it.

    Gap: moto's models take any property value and any name; AWS refuses values
    outside the type's registry schema, the service's own constraints, and names
    already taken (``constraints.check``). Runs once intrinsic functions and
    dynamic references are resolved, as CloudFormation validates them. Then, as
    the handler would, checks that the stack's role may perform the type's
    handler actions (``handler_permissions``).
    """
    parsed = _original_parse_resource_and_generate_name(logical_id, resource_json, resources_map)
    operation = getattr(_operation, "value", None)
    if not parsed or operation is None:
        return parsed
    _, cleaned, _ = parsed
    properties = cleaned.get("Properties") or {}
    target = constraints.Target(
        logical_id=logical_id,
        resource_type=cleaned.get("Type", ""),
        properties=dict(properties) if isinstance(properties, dict) else {},
        account_id=resources_map._account_id,
        region_name=resources_map._region_name,
        stack_id=resources_map.stack_id,
        operation=operation,
        previous=(getattr(resources_map, "localaws_resolved", None) or {}).get(logical_id),
    )
    constraints.check(target)
    existing = resources_map._parsed_resources.get(logical_id) if operation == "update" else None
    handler_permissions.check(target.resource_type, operation, target.account_id, target.region_name,
                              handler_permissions.resource_arn(existing), target.properties, target.previous)
    resources_map.localaws_targets = getattr(resources_map, "localaws_targets", {})
    resources_map.localaws_targets[logical_id] = target
    return parsed


_original_delete_resource = parsing.ResourceMap._delete_resource


def _delete_resource(self: Any, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
    """Check, as the delete handler would, that the stack's role may delete the
    resource (``handler_permissions``); remember which resource failed, for a
    resource-level DELETE_FAILED event."""
    logical_id = getattr(parsed_resource, "logical_resource_id", "")
    # The properties it was last created or updated with (resolved), else the template's.
    last = (getattr(self, "localaws_resolved", None) or {}).get(logical_id) or resource_json.get("Properties") or {}
    try:
        handler_permissions.check(resource_json.get("Type", ""), "delete", self._account_id, self._region_name,
                                  handler_permissions.resource_arn(parsed_resource), last, last)
        _original_delete_resource(self, parsed_resource, resource_json)
    except Exception as error:
        _mark_failure(error, logical_id, resource_json)
        raise


def _error_text(error: BaseException) -> str:
    return str(getattr(error, "message", None) or error) or type(error).__name__


# --------------------------------------------------------------------------- updates

_UNKNOWN = object()


def references(node: Any) -> set[str]:
    """Logical ids a template fragment refers to: Ref, Fn::GetAtt, ${X} in Fn::Sub, DependsOn."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                if isinstance(text, str):
                    found.update(m.group(1).split(".")[0] for m in re.finditer(r"\$\{([^!}][^}]*)\}", text))
                if isinstance(value, list) and len(value) > 1:
                    found |= references(value[1])
            elif key == "DependsOn":
                found.update([value] if isinstance(value, str) else value)
            else:
                found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def dependency_order(resources: dict[str, Any]) -> list[str]:
    """Resources ordered so that each comes after those it refers to."""
    deps = {name: (references(body) & resources.keys()) - {name} for name, body in resources.items()}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        if state.get(name):
            return
        state[name] = 1
        for dep in sorted(deps[name]):
            visit(dep)
        state[name] = 2
        order.append(name)

    for name in resources:
        visit(name)
    return order


def _resolve(resource_map: Any, body: Any) -> Any:
    try:
        return parsing.clean_json(copy.deepcopy(body), resource_map)
    except Exception:
        return _UNKNOWN


def _delete_resources(resource_map: Any, names: list[str], bodies: dict[str, Any]) -> None:
    remaining = [n for n in names if bodies[n].get("DeletionPolicy") != "Retain"]
    for name in names:
        if name not in remaining:
            resource_map._parsed_resources.pop(name, None)
    last_error: Exception | None = None
    for _ in range(parsing.MAX_UPDATE_ATTEMPTS):
        for name in list(remaining):
            resource = resource_map._parsed_resources.get(name)
            try:
                if resource is not None and not isinstance(resource, str):
                    resource_map._delete_resource(resource, bodies[name])
            except Exception as error:  # dependency violations: try again in the next pass
                last_error = error
            else:
                resource_map._parsed_resources.pop(name, None)
                remaining.remove(name)
        if not remaining:
            return
    if last_error is not None:
        raise last_error


def resource_map_update(self: Any, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    """Update a stack's resources the way CloudFormation decides what to update.

    Gaps in moto's ResourceMap.update: (1) a resource is updated only if its own
    template text changed or it has a ``Ref`` to a changed parameter, so a change
    reaching it through a condition (``Fn::If``) or through a resource that got a
    new physical id (a new task definition revision for a service) is missed;
    (2) a type moto cannot update ends up as ``None``, breaking every Ref to it;
    (3) added resources ignore dependencies and conditions. Here every surviving
    resource is resolved before and after (parameters, conditions and the physical
    ids/attributes of what it refers to), in dependency order, and updated when
    the result differs; a type moto cannot update keeps its old resource (warning).
    Removed resources with DeletionPolicy Retain are kept.
    """
    old_bodies = self._resource_json_map
    new_bodies = template["Resources"]
    before = {
        name: _resolve(self, old_bodies[name])
        for name in old_bodies
        if name in new_bodies and self._parsed_resources.get(name) is not None
    }
    changes: list[tuple[str, str]] = []
    removed = [name for name in old_bodies if name not in new_bodies]
    _delete_resources(self, removed, old_bodies)
    changes += [(name, "DELETE") for name in removed]

    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.resolved_parameters = {}
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = new_bodies

    for name in dependency_order(new_bodies):
        body = new_bodies[name]
        condition = body.get("Condition")
        wanted = not condition or bool(self.lazy_condition_map[condition])
        exists = self._parsed_resources.get(name) is not None
        if not wanted:
            if exists:
                _delete_resources(self, [name], {name: body})
                changes.append((name, "DELETE"))
            continue
        if not exists:
            if self[name] is not None:
                changes.append((name, "CREATE"))
            continue
        after = _resolve(self, body)
        if after is not _UNKNOWN and after == before.get(name, _UNKNOWN):
            continue
        updated = parsing.parse_and_update_resource(name, body, self, account_id=self._account_id, region_name=self._region_name)
        if updated is None:
            logger.warning("moto cannot update %s (%s): kept unchanged", name, body.get("Type"))
        else:
            self._parsed_resources[name] = updated
            changes.append((name, "UPDATE"))
    self.localaws_changes = changes


def _effective_parameters(template: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    values = {name: slot.get("Default") for name, slot in (template.get("Parameters") or {}).items()}
    values.update({k: v for k, v in (given or {}).items() if k in values})
    return {k: (None if v is None else str(v)) for k, v in values.items()}


def change_set_diff(self: Any) -> list[Any]:
    """The Changes of a change set: added, removed and modified resources.

    Gap: moto lists a resource as Modify only when its template text changed; a
    parameter change (and the conditions depending on it) lists nothing. Here a
    resource also counts as modified when it refers to a changed parameter or uses
    a condition whose definition refers to one. Resources changed only because
    something they refer to gets a new physical id are updated on execution but
    not listed.
    """
    stack = self.stack
    old = stack.resource_map._resource_json_map if stack.template_dict else {}
    new = (self.template_dict or {}).get("Resources") or {}
    changes = [cfn_models.Change("Add", n, new[n]["Type"]) for n in new if n not in old]
    modified = {n for n in new if n in old and new[n] != old[n]}
    if old:
        old_params = _effective_parameters(stack.template_dict, stack.parameters)
        new_params = _effective_parameters(self.template_dict, self.parameters)
        changed = {k for k in old_params.keys() | new_params.keys() if old_params.get(k) != new_params.get(k)}
        conditions = self.template_dict.get("Conditions") or {}
        changed_conditions: set[str] = set()
        grew = True
        while grew:
            grew = False
            for cname, definition in conditions.items():
                refs = references(definition) | set(_condition_names(definition))
                if cname not in changed_conditions and refs & (changed | changed_conditions):
                    changed_conditions.add(cname)
                    grew = True
        for n, body in new.items():
            if n in old and (references(body) & changed or set(_condition_names(body)) & changed_conditions):
                modified.add(n)
    changes += [cfn_models.Change("Modify", n, new[n]["Type"]) for n in new if n in modified]
    changes += [cfn_models.Change("Remove", n, old[n]["Type"]) for n in old if n not in new]
    return changes


def _condition_names(node: Any) -> list[str]:
    names: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::If" and isinstance(value, list) and value:
                names.append(value[0])
                names += _condition_names(value[1:])
            elif key == "Condition" and isinstance(value, str):
                names.append(value)
            else:
                names += _condition_names(value)
    elif isinstance(node, list):
        for item in node:
            names += _condition_names(item)
    return names


# --------------------------------------------------------------------------- busy stacks

# Stack statuses in which CloudFormation accepts an update (UpdateStack, an UPDATE
# change set, its execution).
UPDATABLE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}
# In progress, yet DeleteStack is accepted: deleting a stack being created cancels
# the creation; deleting one being deleted changes nothing; REVIEW_IN_PROGRESS has
# no resources.
DELETABLE_IN_PROGRESS = {"CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "REVIEW_IN_PROGRESS"}


def refuse_update_unless_settled(stack: Any) -> None:
    """A stack being updated, rolled back or in a failed state cannot be updated.

    Gap: moto runs every operation synchronously, so it never sees a busy stack,
    and refused only ROLLBACK_COMPLETE (for UpdateStack). CloudFormation's text:
    "Stack:<stack id> is in UPDATE_IN_PROGRESS state and can not be updated."
    """
    if stack.status not in UPDATABLE:
        raise ValidationError(message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")


def refuse_delete_while_busy(stack: Any) -> None:
    """CloudFormation's "Stack [<stack id>] cannot be deleted while in status UPDATE_IN_PROGRESS"."""
    if stack.status.endswith("_IN_PROGRESS") and stack.status not in DELETABLE_IN_PROGRESS:
        raise ValidationError(message=f"Stack [{stack.stack_id}] cannot be deleted while in status {stack.status}")


# --------------------------------------------------------------------------- change sets


def find_change_set(backend: Any, name_or_arn: str, stack_name: str | None = None) -> Any:
    """A change set by ARN, or by name within the stack named by StackName.

    Gap: moto looks names up across all stacks (the last one created wins), so two
    stacks using the same change set name get each other's change sets.
    """
    if name_or_arn in backend.change_sets:
        return backend.change_sets[name_or_arn]
    found = [
        cs
        for cs in backend.change_sets.values()
        if cs.change_set_name == name_or_arn and (not stack_name or stack_name in (cs.stack_name, cs.stack_id))
    ]
    if not found:
        raise ChangeSetNotFound(f"ChangeSet [{name_or_arn}] does not exist")
    return found[-1]


def require_role(backend: Any, role_arn: str) -> None:
    """A RoleARN must name an existing IAM role, as CloudFormation checks."""
    try:
        iam_backends[backend.account_id][get_partition(backend.region_name)].get_role_by_arn(role_arn)
    except Exception:
        raise ValidationError(message=f"Role {role_arn} is invalid or cannot be assumed")


def create_change_set(
    self: Any,
    stack_name: str,
    change_set_name: str,
    template: str,
    parameters: dict[str, str],
    description: str,
    change_set_type: str,
    notification_arns: list[str] | None = None,
    tags: dict[str, str] | None = None,
    role_arn: str | None = None,
) -> tuple[str, str]:
    """CreateChangeSet as CloudFormation does it.

    Gaps in moto: a CREATE change set for an existing stack silently made a second
    stack of the same name (CloudFormation refuses, except for a stack still in
    REVIEW_IN_PROGRESS, which it reuses); an UPDATE without changes was an error
    ("No updates are to be performed.") when parameters were given, instead of a
    FAILED change set "The submitted information didn't contain changes..."; and
    "no changes" compared the raw parameter lists, not the values in effect. Also
    checked here as CloudFormation does: template errors (parameters, outputs) fail
    CreateChangeSet, RoleARN must name an existing IAM role, and a pending change
    set name cannot be reused on the same stack.
    """
    cfn_utils.validate_create_change_set(change_set_name)
    existing = next((s for s in self.stacks.values() if s.name == stack_name), None)
    if role_arn:
        require_role(self, role_arn)
    if change_set_type == "UPDATE":
        if existing is None or existing.status == "REVIEW_IN_PROGRESS":
            raise ValidationError(stack_name)
        refuse_update_unless_settled(existing)
        stack = existing
    elif existing is not None and existing.status != "REVIEW_IN_PROGRESS":
        raise ValidationError(
            message=f"Stack [{stack_name}] already exists and cannot be created again with the changeSet [{change_set_name}]."
        )
    elif existing is not None:
        stack = existing
    else:
        stack = cfn_models.Stack(
            stack_id=cfn_utils.generate_stack_id(stack_name, self.region_name, self.account_id),
            name=stack_name,
            template={},
            parameters=parameters,
            account_id=self.account_id,
            region_name=self.region_name,
            notification_arns=notification_arns,
            tags=tags,
            role_arn=role_arn,
        )
        self.stacks[stack.stack_id] = stack
        stack.status = "REVIEW_IN_PROGRESS"
        stack._add_stack_event("REVIEW_IN_PROGRESS", resource_status_reason="User Initiated")

    for arn, other in list(self.change_sets.items()):
        if other.stack_id == stack.stack_id and other.change_set_name == change_set_name:
            if other.execution_status == "AVAILABLE":
                raise ChangeSetAlreadyExists(f"ChangeSet {change_set_name} already exists")
            del self.change_sets[arn]

    change_set = cfn_models.ChangeSet(
        change_set_type=change_set_type,
        change_set_id=cfn_utils.generate_changeset_id(change_set_name, self.region_name, self.account_id),
        change_set_name=change_set_name,
        stack=stack,
        template=template,
        parameters=parameters,
        description=description,
        notification_arns=notification_arns,
        tags=tags,
        role_arn=role_arn,
    )
    # Template errors (missing parameters, bad outputs) fail the call, as in CloudFormation.
    parsing.ResourceMap(
        stack.stack_id,
        stack_name,
        parameters,
        tags or {},
        region_name=self.region_name,
        account_id=self.account_id,
        template=change_set.template_dict,
        cross_stack_resources=self.exports,
    ).load()
    unchanged = (
        change_set_type == "UPDATE"
        and stack.template_dict == change_set.template_dict
        and _effective_parameters(stack.template_dict, stack.parameters)
        == _effective_parameters(change_set.template_dict, parameters)
    )
    if unchanged:
        change_set.status = "FAILED"
        change_set.execution_status = "UNAVAILABLE"
        change_set.status_reason = (
            "The submitted information didn't contain changes. Submit different information to create a change set."
        )
    else:
        change_set.status = "CREATE_COMPLETE"
        change_set.execution_status = "AVAILABLE"
    self.change_sets[change_set.change_set_id] = change_set
    return change_set.change_set_id, stack.stack_id


def _resource_event(stack: Any, logical_id: str, resource: Any, resource_type: str, status: str, reason: str | None = None) -> Any:
    return cfn_models.Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=getattr(resource, "physical_resource_id", None) or "",
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )


def _add_failure_events(stack: Any, error: BaseException, status: str) -> None:
    logical_id = getattr(error, "localaws_logical_id", None)
    if logical_id:
        stack.events.append(
            _resource_event(stack, logical_id, None, getattr(error, "localaws_resource_type", ""), status, _error_text(error))
        )


def _execute_create(backend: Any, stack: Any, change_set: Any) -> None:
    with handler_permissions.acting_as(change_set.role_arn):
        _create_resources(backend, stack, change_set)


def _create_resources(backend: Any, stack: Any, change_set: Any) -> None:
    stack.template = change_set.template
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    stack.parameters = change_set.parameters
    stack.tags = change_set.tags or {}
    stack.role_arn = change_set.role_arn
    stack.notification_arns = change_set.notification_arns or []
    stack.cross_stack_resources = backend.exports
    stack._add_stack_event("CREATE_IN_PROGRESS", resource_status_reason="User Initiated")
    try:
        stack.resource_map = stack._create_resource_map()
        stack.output_map = stack._create_output_map()
        backend._validate_export_uniqueness(stack)
        stack.status = "CREATE_IN_PROGRESS"
        stack.resource_map.create(stack.template_dict)
        events = [
            _resource_event(stack, name, resource, getattr(resource, "cf_resource_type", ""), "CREATE_COMPLETE")
            for name, resource in stack.resource_map._parsed_resources.items()
            if name in stack.resource_map._resource_json_map and resource is not None
        ]
        stack.events.extend(events)
        for export in stack.exports:
            backend.exports[export.name] = export
        stack.mark_creation_complete()
    except Exception as error:
        logger.warning("stack %s: create failed: %s", stack.name, _error_text(error))
        _add_failure_events(stack, error, "CREATE_FAILED")
        stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=_error_text(error))
        try:
            stack.resource_map.delete()
        except Exception as cleanup:  # leave what cannot be deleted
            logger.warning("stack %s: rollback left resources: %s", stack.name, _error_text(cleanup))
        stack.output_map = parsing.OutputMap(stack.resource_map, {"Outputs": {}}, stack.stack_id)
        stack._add_stack_event("ROLLBACK_COMPLETE")
        stack.status = "ROLLBACK_COMPLETE"
        change_set.execution_status = "EXECUTE_FAILED"


def _execute_update(backend: Any, stack: Any, change_set: Any) -> None:
    old_template, old_parameters, old_role = stack.template, stack.parameters, stack.role_arn
    old_exports = [export.name for export in stack.exports]
    # Resources act with the change set's role during the update (moto set it after).
    stack.role_arn = change_set.role_arn or stack.role_arn
    try:
        with handler_permissions.acting_as(stack.role_arn):
            stack.update(
                change_set.template,
                role_arn=change_set.role_arn or stack.role_arn,
                parameters=change_set.parameters,
                tags=change_set.tags or None,
            )
    except Exception as error:
        logger.warning("stack %s: update failed: %s", stack.name, _error_text(error))
        _add_failure_events(stack, error, "UPDATE_FAILED")
        stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=_error_text(error))
        # Only the stack's template and parameters go back; resources changed so far stay changed.
        stack.template, stack.parameters, stack.role_arn = old_template, old_parameters, old_role
        stack._parse_template()
        resource_map = stack.resource_map
        resource_map._template = stack.template_dict
        resource_map._resource_json_map = stack.template_dict["Resources"]
        resource_map.input_parameters = old_parameters
        resource_map.resolved_parameters = {}
        resource_map.load_parameters()
        resource_map.load_conditions()
        stack.output_map = stack._create_output_map()
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
        change_set.execution_status = "EXECUTE_FAILED"
        return
    stack.parameters = change_set.parameters
    # Resource events go before the stack's UPDATE_COMPLETE.
    final = stack.events.pop()
    bodies = stack.resource_map._resource_json_map
    for name, action in getattr(stack.resource_map, "localaws_changes", []):
        resource = stack.resource_map._parsed_resources.get(name)
        resource_type = bodies.get(name, {}).get("Type", getattr(resource, "cf_resource_type", ""))
        stack.events.append(_resource_event(stack, name, resource, resource_type, f"{action}_COMPLETE"))
    stack.events.append(final)
    for name in old_exports:
        backend.exports.pop(name, None)
    for export in stack.exports:
        backend.exports[export.name] = export


def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
    """ExecuteChangeSet through CloudFormation's create and update paths.

    Gaps in moto: a CREATE change set was applied as an "update" of an empty stack,
    so the stack never got its template's Outputs or Exports (its output map was
    built from the empty template), EC2 resources missed their aws:cloudformation
    tags, and UPDATE executions did not record the new parameters (UsePreviousValue
    then read stale values); a failing resource made the API call fail instead of
    the stack. Here: CREATE runs moto's create path (Outputs, Exports); UPDATE runs
    Stack.update (Outputs rebuilt, Exports refreshed); each changed resource gets
    an event; a failure ends in ROLLBACK_COMPLETE (create: resources deleted) or
    UPDATE_ROLLBACK_COMPLETE (update: template and parameters restored, resources
    NOT restored), with a resource-level *_FAILED event carrying moto's error. As in
    CloudFormation, the stack's other change sets are deleted.
    """
    change_set = find_change_set(self, change_set_name, stack_name)
    if change_set.execution_status != "AVAILABLE":
        raise InvalidChangeSetStatus(
            f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status of [{change_set.execution_status}]"
        )
    stack = self.stacks[change_set.stack_id]
    if change_set.change_set_type != "CREATE":
        refuse_update_unless_settled(stack)
    change_set.execution_status = "EXECUTE_IN_PROGRESS"
    if change_set.change_set_type == "CREATE":
        _execute_create(self, stack, change_set)
    else:
        _execute_update(self, stack, change_set)
    if change_set.execution_status == "EXECUTE_IN_PROGRESS":
        change_set.execution_status = "EXECUTE_COMPLETE"
    for arn, other in list(self.change_sets.items()):
        if other is not change_set and other.stack_id == stack.stack_id:
            del self.change_sets[arn]


_original_delete_stack = cfn_models.CloudFormationBackend.delete_stack


def delete_stack(self: Any, name_or_stack_id: str) -> None:
    """DeleteStack also deletes the stack's change sets (moto kept them), and is
    refused while the stack is being updated or rolled back. Resources are deleted
    with the stack's role.

    Gap: a resource that could not be deleted failed the DeleteStack call, and the
    stack was gone anyway. As in CloudFormation, the call succeeds and the stack
    stays, DELETE_FAILED, with a DELETE_FAILED event of the resource; what was
    deleted is gone, and DeleteStack can be retried.
    """
    stacks = [s for s in self.stacks.values() if name_or_stack_id in (s.name, s.stack_id)]
    for stack in stacks:
        refuse_delete_while_busy(stack)
    ids = {s.stack_id for s in stacks}
    for stack in stacks:
        try:
            with handler_permissions.acting_as(stack.role_arn):
                _original_delete_stack(self, stack.stack_id)
        except Exception as error:
            logger.warning("stack %s: delete failed: %s", stack.name, _error_text(error))
            self.stacks[stack.stack_id] = stack  # moto took it out before deleting its resources
            _add_failure_events(stack, error, "DELETE_FAILED")
            logical_id = getattr(error, "localaws_logical_id", None)
            reason = f"The following resource(s) failed to delete: [{logical_id}]. " if logical_id else _error_text(error)
            stack._add_stack_event("DELETE_FAILED", resource_status_reason=reason)
            stack.status = "DELETE_FAILED"
    for arn, change_set in list(self.change_sets.items()):
        if change_set.stack_id in ids:
            del self.change_sets[arn]


_original_create_stack = cfn_models.CloudFormationBackend.create_stack
_original_update_stack = cfn_models.CloudFormationBackend.update_stack


def create_stack(self: Any, *args: Any, **kwargs: Any) -> Any:
    """CreateStack creates the resources with its RoleARN (``handler_permissions``)."""
    with handler_permissions.acting_as(kwargs.get("role_arn")):
        return _original_create_stack(self, *args, **kwargs)


def update_stack(self: Any, name: str, template: str, role_arn: str | None, parameters: Any, tags: Any) -> Any:
    """UpdateStack acts with its RoleARN, else the role the stack remembers.

    Gap: moto forgot the stack's role when an update named none (CloudFormation
    keeps using it).
    """
    role_arn = role_arn or self.get_stack(name).role_arn
    with handler_permissions.acting_as(role_arn):
        return _original_update_stack(self, name, template, role_arn, parameters, tags)


# --------------------------------------------------------------------------- responses

_original_create_change_set_response = cfn_responses.CloudFormationResponse.create_change_set


def _create_change_set_response(self: Any) -> Any:
    _check_template_body(self)
    # The backend decides whether there are changes (FAILED change set, not an error).
    self._validate_different_update = lambda *args, **kwargs: None
    return _original_create_change_set_response(self)


def _describe_change_set_response(self: Any) -> Any:
    return ActionResult(find_change_set(self.cloudformation_backend, self._get_param("ChangeSetName"), self._get_param("StackName")))


def _delete_change_set_response(self: Any) -> Any:
    backend = self.cloudformation_backend
    change_set = find_change_set(backend, self._get_param("ChangeSetName"), self._get_param("StackName"))
    backend.change_sets.pop(change_set.change_set_id, None)
    return EmptyResult()


_original_delete_stack_response = cfn_responses.CloudFormationResponse.delete_stack


def _delete_stack_response(self: Any) -> Any:
    """DeleteStack's RoleARN (moto ignored it) becomes the stack's role, which
    deletes the resources; without one, the stack's role does, as in CloudFormation."""
    role_arn = self._get_param("RoleARN")
    if role_arn:
        backend = self.cloudformation_backend
        require_role(backend, role_arn)
        name = self._get_param("StackName")
        for stack in backend.stacks.values():
            if name in (stack.name, stack.stack_id):
                stack.role_arn = role_arn
    return _original_delete_stack_response(self)


def _refuse_busy_update(method: Any) -> Any:
    """UpdateStack on a busy stack fails before anything else is compared (moto
    checked "no updates" first, and knew only ROLLBACK_COMPLETE)."""

    def wrapper(self: Any) -> Any:
        refuse_update_unless_settled(self.cloudformation_backend.get_stack(self._get_param("StackName")))
        return method(self)

    wrapper.__doc__ = method.__doc__
    return wrapper


def _list_change_sets_response(self: Any) -> Any:
    """ListChangeSets lists the change sets of StackName only (moto listed every stack's)."""
    stack_name = self._get_param("StackName")
    summaries = [
        cs for cs in self.cloudformation_backend.list_change_sets() if not stack_name or stack_name in (cs.stack_name, cs.stack_id)
    ]
    return ActionResult({"Summaries": summaries})


def install() -> None:
    for module in (cfn_utils, cfn_responses, cfn_models):
        module.get_stack_from_s3_url = get_stack_from_s3_url  # type: ignore[attr-defined]
    parsing.parse_resource = _parse_resource
    parsing.parse_and_create_resource = _parse_and_create_resource
    parsing.parse_and_update_resource = _parse_and_update_resource
    parsing.parse_resource_and_generate_name = _parse_resource_and_generate_name
    parsing.ResourceMap.update = resource_map_update
    cfn_models.ChangeSet.diff = change_set_diff
    backend = cfn_models.CloudFormationBackend
    backend.create_change_set = create_change_set
    backend.execute_change_set = execute_change_set
    backend.delete_stack = delete_stack
    backend.create_stack = create_stack
    backend.update_stack = update_stack
    parsing.ResourceMap._delete_resource = _delete_resource
    response = cfn_responses.CloudFormationResponse
    response.create_change_set = _create_change_set_response
    response.describe_change_set = _describe_change_set_response
    response.delete_change_set = _delete_change_set_response
    response.delete_stack = _delete_stack_response
    response.list_change_sets = _list_change_sets_response
    response.create_stack = _limit_template_body(response.create_stack)
    response.update_stack = _limit_template_body(_refuse_busy_update(response.update_stack))
    response.validate_template = _limit_template_body(response.validate_template)
