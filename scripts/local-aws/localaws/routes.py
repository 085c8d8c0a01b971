"""The local AWS's own routes beside moto's API (``/localaws/…``): a POST with a
JSON object in, JSON out. Used by the hold hook (hold.py) and by the service
principal standing in for CodeBuild (iam_auth.py)."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable

from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from werkzeug.wrappers import Request, Response


def json_response(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def json_object(request: Request) -> dict[str, Any] | Response:
    """The request's JSON object, or the error response to give instead."""
    if request.method != "POST":
        return json_response(405, {"error": "use POST"})
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        return json_response(400, {"error": "the body must be JSON"})
    if not isinstance(body, dict):
        return json_response(400, {"error": "the body must be a JSON object"})
    return body


def serve(path: str, handler: Callable[[Request], Response]) -> None:
    """Serve ``path`` with ``handler``; every other request goes on as before."""
    served = DomainDispatcherApplication.__call__

    def dispatch(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == path:
            return handler(Request(environ))(environ, start_response)
        return served(self, environ, start_response)

    DomainDispatcherApplication.__call__ = dispatch  # type: ignore[method-assign]
