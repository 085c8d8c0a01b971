"""IAM authorization of API requests, for a local AWS started with moto's
``INITIAL_NO_AUTH_ACTION_COUNT`` (installed by launcher.py only then).

With that variable finite, moto lets that many requests through unchecked and then
requires every request to be signed with credentials it knows (an IAM user's
access key, or credentials from STS AssumeRole, which act as the role) and checks
the principal's identity policies (``IAMRequestBase.check_action_permitted``).
moto's check cannot be used as it is for roles scoped like bs's:

- moto matches a statement's Resource against the request's resource, which is
  ``"*"`` for every service but S3 (bucket and object ARNs), IAM actions naming a
  RoleName (the role ARN) and STS AssumeRole (the RoleArn): a statement scoped to
  an ARN then never matches, and everything scoped would be denied. Here a request
  resource of ``"*"`` matches any Resource pattern, so **actions** are checked
  strictly everywhere and **resources** only where moto knows them (S3 ARNs, role
  ARNs);
- moto's S3 requests name some actions by their API operation (``ListObjectsV2``,
  ``HeadBucket``, ``CreateMultipartUpload``, ...) rather than by the IAM action
  they need (``s3:ListBucket``, ``s3:PutObject``): ``S3_ACTIONS`` maps them;
- action patterns match case-insensitively with ``*`` and ``?`` (moto: a regex
  built from the pattern, case-sensitive); NotAction and NotResource are honoured;
- inline policies of roles CloudFormation created are stored by moto as JSON
  objects, which moto's check cannot read;
- a role's permissions boundary limits what its policies allow (moto ignores it);
- moto checks a signature on its own copy of the request, whose body is the
  request's parsed parameters re-encoded when werkzeug has consumed the body (a
  form POST) or the request has none (a GET with a query string): the SDKs'
  encoding differs (the Rust SDK's CreateChangeSet), and a GET's body is empty, so
  both failed with SignatureDoesNotMatch. The body as received (kept by the WSGI
  wrapper below, per request thread) is checked instead;
- passing a role to CloudFormation (CreateChangeSet, CreateStack, UpdateStack
  with RoleARN) needs ``iam:PassRole`` on that role with ``iam:PassedToService`` =
  ``cloudformation.amazonaws.com``, as on AWS; moto never checks PassRole, which is
  no API call of its own.

Conditions are evaluated as the plugin's patched ``IAMPolicyStatement`` evaluates
them (services.py), against the request context ``aws:SecureTransport`` (true:
the loopback endpoint stands in for HTTPS), ``aws:RequestedRegion``,
``sts:ExternalId`` and, for PassRole, ``iam:PassedToService``. Explicit Deny wins,
then an Allow is needed, as on AWS. ``sts:GetCallerIdentity`` is always allowed.

A CodeBuild project's service role trusts ``codebuild.amazonaws.com``, a service
principal no request of moto can act as (moto's trust check compares only AWS
principals). The route ``POST /localaws/assume-role-as-service`` stands in for the
service assuming the role: it checks the role's trust policy allows the service
``sts:AssumeRole`` and returns STS credentials of the role::

    POST /localaws/assume-role-as-service
    {"roleArn": "arn:aws:iam::123456789012:role/x", "service": "codebuild.amazonaws.com",
     "sessionName": "build"}          (optional: "region", default us-east-1)
    200 {"AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ...}
    403 {"error": ...} the trust policy does not allow the service
    404 {"error": ...} no such role; 400 bad input; 405 not a POST

Resource handlers of CloudFormation are no HTTP requests: not checked here (see
handler_permissions.py for the stack role's).
"""

from __future__ import annotations

import io
import json
import math
import re
import threading
from typing import Any, Callable, Iterable

import xmltodict
from moto import settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError
from moto.iam import access_control
from moto.iam.exceptions import NotFoundException
from moto.iam.models import Policy, iam_backends
from moto.iam.utils import format_incoming_conditional_values
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.sts.models import sts_backends
from moto.utilities.utils import get_partition
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import get_input_stream

from .routes import json_object, json_response, serve

PATH = "/localaws/assume-role-as-service"
# The body of the request this thread serves, as received (the signature covers it).
_received = threading.local()

# moto's S3 action names that are not IAM actions -> the IAM action AWS checks.
S3_ACTIONS = {
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListParts": "ListMultipartUploadParts",
    "ListBuckets": "ListAllMyBuckets",
    "CreateMultipartUpload": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "UploadPartCopy": "PutObject",
    "CopyObject": "PutObject",
    "DeleteObjects": "DeleteObject",
    "SelectObjectContent": "GetObject",
    "GetBucketCors": "GetBucketCORS",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "GetBucketReplication": "GetReplicationConfiguration",
    "GetBucketInventoryConfiguration": "GetInventoryConfiguration",
    "ListBucketInventoryConfigurations": "GetInventoryConfiguration",
    "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
}
# Calls that pass a role to CloudFormation when they carry RoleARN.
PASSES_ROLE = {"cloudformation:CreateChangeSet", "cloudformation:CreateStack", "cloudformation:UpdateStack"}


def enabled() -> bool:
    """Whether moto authorizes requests (INITIAL_NO_AUTH_ACTION_COUNT finite)."""
    return math.isfinite(settings.INITIAL_NO_AUTH_ACTION_COUNT)


def _glob(pattern: str, value: str, ignore_case: bool) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _listed(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _document(policy: Any) -> dict[str, Any]:
    """The JSON object of what moto's collect_policies gives: a managed Policy, a
    user's inline policy record, or a role's inline document (text or object)."""
    if isinstance(policy, Policy):
        policy = next(v.document for v in policy.versions if v.is_default)
    elif isinstance(policy, dict) and "policy_document" in policy:
        policy = policy["policy_document"]
    return json.loads(policy) if isinstance(policy, str) else policy


def _condition_holds(condition: Any, action: str, context: dict[str, str]) -> bool:
    probe = access_control.IAMPolicyStatement({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition})
    return probe.is_action_permitted(action, "*", None, context) == access_control.PermissionResult.PERMITTED


def _statement_applies(statement: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> bool:
    if "NotAction" in statement:
        if any(_glob(p, action, True) for p in _listed(statement["NotAction"])):
            return False
    elif not any(_glob(p, action, True) for p in _listed(statement.get("Action", []))):
        return False
    if resource != "*":  # moto knows the resource: match it
        if "NotResource" in statement:
            if any(_glob(p, resource, False) for p in _listed(statement["NotResource"])):
                return False
        elif not any(_glob(p, resource, False) for p in _listed(statement.get("Resource", []))):
            return False
    return "Condition" not in statement or _condition_holds(statement["Condition"], action, context)


def evaluate(documents: Iterable[dict[str, Any]], action: str, resource: str, context: dict[str, str]) -> str:
    """"allowed", "denied" (an explicit Deny applies) or "implicit" (no Allow applies)."""
    allowed = False
    for document in documents:
        for statement in _listed(document.get("Statement", [])):
            if _statement_applies(statement, action, resource, context):
                if statement.get("Effect") == "Deny":
                    return "denied"
                allowed = allowed or statement.get("Effect") == "Allow"
    return "allowed" if allowed else "implicit"


def _principal_documents(request: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """The principal's identity policies, and its permissions boundary (roles) or None."""
    key = request._access_key
    documents = [_document(p) for p in key.collect_policies()]
    boundary = None
    if isinstance(key, access_control.AssumedRoleAccessKey):
        arn = key.backend.get_role(key._owner_role_name).permissions_boundary_arn
        if arn:
            boundary = [_document(key.backend.get_policy(arn))]
    return documents, boundary


def _allowed(documents: list[dict[str, Any]], boundary: list[dict[str, Any]] | None, action: str, resource: str, context: dict[str, str]) -> bool:
    if evaluate(documents, action, resource, context) != "allowed":
        return False
    return boundary is None or evaluate(boundary, action, resource, context) == "allowed"


def _check_action_permitted(self: Any, resource: str) -> None:
    """moto's IAMRequestBase.check_action_permitted, with the evaluation above."""
    service, _, name = self._action.partition(":")
    action = f"s3:{S3_ACTIONS.get(name, name)}" if service == "s3" else self._action
    if action == "sts:GetCallerIdentity":
        return
    context = {"aws:SecureTransport": "true", "aws:RequestedRegion": self._region, **format_incoming_conditional_values(self._data)}
    documents, boundary = _principal_documents(self)
    if not _allowed(documents, boundary, action, resource, context):
        self._raise_access_denied()
    if self._is_assuming_role_operation(resource) and not self._check_role_trust_relationship(resource):
        self._raise_access_denied()
    role_arn = (self._data.get("RoleARN") or [None])[0] if action in PASSES_ROLE else None
    if role_arn:
        passed = dict(context, **{"iam:PassedToService": "cloudformation.amazonaws.com"})
        if not _allowed(documents, boundary, "iam:PassRole", role_arn, passed):
            raise AccessDeniedError(user_arn=self._access_key.arn, action="iam:PassRole")


_original_create_aws_request = access_control.IAMRequestBase._create_aws_request


def _create_aws_request(self: Any) -> Any:
    """moto's copy of the request to sign, with the body as received."""
    request = _original_create_aws_request(self)
    request.data = _received.body
    return request


def assume_role_as_service(request: Request) -> Response:
    """The route's handler: a service principal assumes a role it is trusted by."""
    body = json_object(request)
    if isinstance(body, Response):
        return body
    if not all(isinstance(body.get(k), str) and body[k] for k in ("roleArn", "service", "sessionName")):
        return json_response(400, {"error": "roleArn, service and sessionName (strings) are required"})
    role_arn, service, region = body["roleArn"], body["service"], body.get("region", "us-east-1")
    parts = role_arn.split(":")
    if len(parts) != 6 or not parts[4].isdigit():
        return json_response(400, {"error": f"not a role ARN: {role_arn}"})
    account, partition = parts[4], get_partition(region)
    try:
        role = iam_backends[account][partition].get_role_by_arn(role_arn)
    except NotFoundException:
        return json_response(404, {"error": f"no role {role_arn}"})
    trust = _document(role.assume_role_policy_document)
    context = {"aws:SourceAccount": account}
    trusted = any(
        statement.get("Effect") == "Allow"
        and service in _listed((statement.get("Principal") or {}).get("Service", []))
        and _statement_applies({k: v for k, v in statement.items() if k != "Principal"}, "sts:AssumeRole", "*", context)
        for statement in _listed(trust.get("Statement", []))
    )
    if not trusted:
        return json_response(403, {"error": f"the trust policy of {role_arn} does not allow {service} sts:AssumeRole"})
    assumed = sts_backends[account][partition].assume_role(
        region_name=region, role_session_name=body["sessionName"], role_arn=role_arn, policy="", duration=3600, external_id="",
    )
    return json_response(200, {"AccessKeyId": assumed.access_key_id, "SecretAccessKey": assumed.secret_access_key, "SessionToken": assumed.session_token})


def _as_aws_answers(error: Any, json_protocol: bool) -> Any:
    """The authorization error in the document AWS sends for the request's
    protocol. moto renders it as ``<ErrorResponse><Errors><Error>``, a shape no
    AWS service answers: the SDKs find no error code in it (the Rust SDK reported
    "HTTP 403 with no error code"), and a JSON service got XML."""
    if json_protocol:
        return error.to_json()
    error.description = xmltodict.unparse(
        {
            "ErrorResponse": {
                "@xmlns": "https://aws.amazon.com/",
                "Error": {"Type": "Sender", "Code": error.error_type, "Message": error.message},
                "RequestId": "local-aws-authorization",
            }
        },
        full_document=True,
    )
    return error


def _authorize_as_aws_answers(self: Any, resource: str = "*") -> None:
    try:
        _authorize(self, resource)
    except HTTPException as error:
        if not hasattr(error, "error_type") or not hasattr(error, "to_json"):
            raise
        raise _as_aws_answers(error, json_protocol="X-Amz-Target" in self.headers) from None


_authorize = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action


def install() -> None:
    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = _authorize_as_aws_answers  # type: ignore[method-assign]
    access_control.IAMRequestBase.check_action_permitted = _check_action_permitted  # type: ignore[method-assign]
    access_control.IAMRequestBase._create_aws_request = _create_aws_request  # type: ignore[method-assign]
    served = DomainDispatcherApplication.__call__

    def dispatch(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        _received.body = get_input_stream(environ).read()
        environ["wsgi.input"] = io.BytesIO(_received.body)
        environ["CONTENT_LENGTH"] = str(len(_received.body))
        return served(self, environ, start_response)

    DomainDispatcherApplication.__call__ = dispatch  # type: ignore[method-assign]
    serve(PATH, assume_role_as_service)
