"""Managed policies in stacks as CloudFormation handles them, where moto does not.

AWS::IAM::ManagedPolicy: moto creates a stack's managed policy but never updates
or deletes it: a changed PolicyDocument kept the old permissions, and a deleted
stack left the policy behind, so creating the stack again failed on its name ("A
policy called … already exists"). CloudFormation's handler updates the document
as a new default version (deleting the oldest non-default one at IAM's limit of
five), attaches the entities newly listed in Roles/Users/Groups and detaches
those no longer listed, and on delete detaches the policy from every role, user
and group, deletes its other versions, then the policy.

AWS::IAM::Role ManagedPolicyArns: moto ignored them (a role whose permissions
are all in managed policies, as the role bs-synth's bootstrap stack makes for
CloudFormation, had none), and a role with attached policies could not be
deleted ("must detach all policies first"). Now they are attached on create,
attached and detached on update as the list changes, and detached on delete.

What a stack listed last is remembered on moto's objects (``localaws_listed``), so
an update detaches only what the template attached, never what something else
attached.

(Hooked in by ``localaws.install``.)
"""

from __future__ import annotations

import json
from typing import Any

from moto.iam.models import ManagedPolicy, Role, iam_backends
from moto.utilities.utils import get_partition


def _backend(account_id: str, region_name: str) -> Any:
    return iam_backends[account_id][get_partition(region_name)]


def default_document(policy: Any) -> str:
    """The JSON text of a managed policy's default version (moto's policy has no document of its own)."""
    return next(v.document for v in policy.versions if v.is_default)


def _find(backend: Any, name_or_arn: str) -> Any:
    if name_or_arn in backend.managed_policies:
        return backend.managed_policies[name_or_arn]
    return next((p for p in backend.managed_policies.values() if p.name == name_or_arn), None)


def _attached_to(backend: Any, policy: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for kind, entities in (("role", backend.roles.values()), ("user", backend.users.values()), ("group", backend.groups.values())):
        out += [(kind, e) for e in entities if policy.arn in e.managed_policies]
    return out


def update(original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Any:
    backend = _backend(account_id, region_name)
    props = cloudformation_json.get("Properties", {})
    policy = original_resource
    # ManagedPolicyName, Path and Description are create-only: a new value is a
    # replacement, the new policy first, the old one after.
    wanted_identity = (props.get("ManagedPolicyName") or policy.name, props.get("Path") or "/", props.get("Description") or "")
    if wanted_identity != (policy.name, policy.path, policy.description):
        created = ManagedPolicy.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
        delete(policy.arn, {}, account_id, region_name)
        return created
    document = json.dumps(props.get("PolicyDocument"))
    if props.get("PolicyDocument") != json.loads(default_document(policy)):
        if len(policy.versions) >= 5:
            oldest = next(v for v in policy.versions if not v.is_default)
            backend.delete_policy_version(policy.arn, oldest.version_id)
        backend.create_policy_version(policy.arn, document, set_as_default=True)
    _attach_listed(backend, policy, props)
    return policy


def _listed_entities(props: dict[str, Any]) -> set[tuple[str, str]]:
    return {(kind, name) for kind, key in (("role", "Roles"), ("user", "Users"), ("group", "Groups")) for name in props.get(key) or []}


def _attach_listed(backend: Any, policy: Any, props: dict[str, Any]) -> None:
    """Attach the entities the policy's Roles/Users/Groups list, detach those it listed before and no longer does."""
    wanted = _listed_entities(props)
    held = {(kind, e.name) for kind, e in _attached_to(backend, policy)}
    for kind, name in sorted(wanted - held):
        getattr(backend, f"attach_{kind}_policy")(policy.arn, name)
    for kind, name in sorted((getattr(policy, "localaws_listed", set()) - wanted) & held):
        getattr(backend, f"detach_{kind}_policy")(policy.arn, name)
    policy.localaws_listed = wanted


def delete(resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> None:
    backend = _backend(account_id, region_name)
    policy = _find(backend, resource_name)
    if policy is None:
        return
    for kind, entity in _attached_to(backend, policy):
        getattr(backend, f"detach_{kind}_policy")(policy.arn, entity.name)
    for version in [v for v in policy.versions if not v.is_default]:
        backend.delete_policy_version(policy.arn, version.version_id)
    backend.delete_policy(policy.arn)


# --------------------------------------------------------------------------- a role's ManagedPolicyArns

_original_role_create = Role.create_from_cloudformation_json
_original_role_update = Role.update_from_cloudformation_json
_original_role_delete = Role.delete_from_cloudformation_json


def _sync_role(backend: Any, role: Any, props: dict[str, Any]) -> None:
    """Attach what ManagedPolicyArns lists, detach what it listed before and no longer does."""
    wanted = set(props.get("ManagedPolicyArns") or [])
    for arn in sorted(wanted - set(role.managed_policies)):
        backend.attach_role_policy(arn, role.name)
    for arn in sorted((getattr(role, "localaws_listed", set()) - wanted) & set(role.managed_policies)):
        backend.detach_role_policy(arn, role.name)
    role.localaws_listed = wanted


def create_role(resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Any:
    role = _original_role_create(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    _sync_role(_backend(account_id, region_name), role, cloudformation_json.get("Properties", {}))
    return role


def update_role(original_resource: Any, new_resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> Any:
    role = _original_role_update(original_resource, new_resource_name, cloudformation_json, account_id, region_name)
    _sync_role(_backend(account_id, region_name), role, cloudformation_json.get("Properties", {}))
    return role


def delete_role(resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str) -> None:
    backend = _backend(account_id, region_name)
    role = next((r for r in backend.roles.values() if r.name == resource_name), None)
    for arn in list(role.managed_policies) if role else []:
        backend.detach_role_policy(arn, role.name)
    _original_role_delete(resource_name, cloudformation_json, account_id, region_name)


_original_policy_create = ManagedPolicy.create_from_cloudformation_json


def create(resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any) -> Any:
    policy = _original_policy_create(resource_name, cloudformation_json, account_id, region_name, **kwargs)
    policy.localaws_listed = _listed_entities(cloudformation_json.get("Properties", {}))
    return policy


def install() -> None:
    """Replace moto's update and delete of AWS::IAM::ManagedPolicy, and add a role's ManagedPolicyArns."""
    ManagedPolicy.create_from_cloudformation_json = staticmethod(create)  # type: ignore[method-assign,assignment]
    ManagedPolicy.update_from_cloudformation_json = staticmethod(update)  # type: ignore[method-assign,assignment]
    ManagedPolicy.delete_from_cloudformation_json = staticmethod(delete)  # type: ignore[method-assign,assignment]
    Role.create_from_cloudformation_json = staticmethod(create_role)  # type: ignore[method-assign,assignment]
    Role.update_from_cloudformation_json = staticmethod(update_role)  # type: ignore[method-assign,assignment]
    Role.delete_from_cloudformation_json = staticmethod(delete_role)  # type: ignore[method-assign,assignment]
