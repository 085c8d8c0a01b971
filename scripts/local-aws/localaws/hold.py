"""A test hook that makes a stack busy for a while: ``POST /localaws/hold-stack``.

Gap: moto runs every stack operation synchronously, so a client never sees a
stack ``*_IN_PROGRESS`` and code that must wait for (or refuse) a busy stack cannot
be tested. The hook sets a settled stack's status to the given ``*_IN_PROGRESS``
status at once (with a stack event, reason "User Initiated") and puts the previous
status back after ``seconds`` (with an event of that status). While it is held,
the CloudFormation API refuses what AWS refuses on a busy stack (engine.py:
UPDATE change sets, ExecuteChangeSet, UpdateStack, DeleteStack).

    POST /localaws/hold-stack
    {"stack": "<name or id>", "status": "UPDATE_IN_PROGRESS", "seconds": 3.0,
     "region": "us-east-1", "account": "123456789012"}   (region, account optional)

    200 {"stack": "<stack id>", "status": "UPDATE_IN_PROGRESS", "until": <epoch seconds>}
    400 {"error": "..."} bad input, or a stack that is not settled
    404 {"error": "..."} no such stack
    405 not a POST

The route is served by ``routes.serve``, which wraps moto's
``DomainDispatcherApplication.__call__`` (the WSGI application ``moto.server.main``
serves); everything else goes to moto.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from moto.cloudformation.models import cloudformation_backends
from moto.core import DEFAULT_ACCOUNT_ID
from werkzeug.wrappers import Request, Response

from .routes import json_object, json_response, serve

logger = logging.getLogger("localaws")

PATH = "/localaws/hold-stack"
MAX_SECONDS = 3600.0
# CloudFormation's in-progress stack statuses (REVIEW_IN_PROGRESS excepted: it is
# the state of a stack that does not exist yet).
STATUSES = {
    "CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS",
    "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "IMPORT_IN_PROGRESS", "IMPORT_ROLLBACK_IN_PROGRESS",
}


class HoldError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _find_stack(account_id: str, region_name: str, name_or_id: str) -> Any:
    backend = cloudformation_backends[account_id][region_name]
    for stack in backend.stacks.values():
        if name_or_id in (stack.name, stack.stack_id):
            return stack
    raise HoldError(404, f"Stack with id {name_or_id} does not exist")


def hold(account_id: str, region_name: str, name_or_id: str, status: str, seconds: float) -> dict[str, Any]:
    """Put a settled stack in ``status`` now and back to its own status after ``seconds``."""
    if status not in STATUSES:
        raise HoldError(400, f"status must be one of {', '.join(sorted(STATUSES))}, got {status!r}")
    stack = _find_stack(account_id, region_name, name_or_id)
    previous = stack.status
    if previous.endswith("_IN_PROGRESS") or previous.endswith("_PENDING"):
        raise HoldError(400, f"stack {stack.name} is {previous}, not settled")
    until = time.time() + seconds
    stack.status = status
    stack._add_stack_event(status, resource_status_reason="User Initiated")

    def release() -> None:
        if stack.status == status:  # not changed meanwhile (e.g. deleted)
            stack.status = previous
            stack._add_stack_event(previous)
            logger.info("stack %s: %s again after the hold", stack.name, previous)

    timer = threading.Timer(seconds, release)
    timer.daemon = True
    timer.start()
    logger.info("stack %s held in %s for %.1f s (was %s)", stack.name, status, seconds, previous)
    return {"stack": stack.stack_id, "status": status, "until": round(until, 3)}


def handle(request: Request) -> Response:
    body = json_object(request)
    if isinstance(body, Response):
        return body
    stack, status, seconds = body.get("stack"), body.get("status"), body.get("seconds")
    region = body.get("region", "us-east-1")
    account = body.get("account") or os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID
    if not isinstance(stack, str) or not stack:
        return json_response(400, {"error": "stack (a stack name or id) is required"})
    if not isinstance(status, str):
        return json_response(400, {"error": "status (e.g. UPDATE_IN_PROGRESS) is required"})
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= MAX_SECONDS:
        return json_response(400, {"error": f"seconds must be a number in (0, {MAX_SECONDS:g}]"})
    if not isinstance(region, str) or not isinstance(account, str) or not account.isdigit() or len(account) != 12:
        return json_response(400, {"error": "region must be a string and account a 12-digit account id"})
    try:
        return json_response(200, hold(account, region, stack, status, float(seconds)))
    except HoldError as error:
        return json_response(error.status, {"error": error.message})
    except KeyError:
        return json_response(400, {"error": f"unknown region {region!r}"})


def install() -> None:
    serve(PATH, handle)
