"""One error shape for the whole API: RFC 9457 problem details (``application/problem+json``).

Every error answer is an object with the members of RFC 9457 section 3.1: ``type`` (a URI naming the kind of
problem; ``about:blank`` for a plain HTTP status), ``title`` (the same for every problem of that type),
``status``, ``detail`` (this occurrence, one line a caller can act on) and ``instance`` (the request path).
Extension members (section 3.2): ``error`` (the vaspguard error class, for programs) and, for a request
whose fields are wrong, ``errors``: ``[{pointer, detail}]``, where ``pointer`` is an RFC 6901 JSON Pointer
into the body (or ``loc`` for a query, path or header parameter).

Invariants: a validation error never echoes the submitted input back (it may hold personal data); a 500
never shows internals (the exception is logged, the answer says only that the server failed).
The handlers run only when something is raised, so the happy path pays nothing for them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import msgspec
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from vaspguard.errors import (
    AlreadyExists,
    InputError,
    InvalidFields,
    InvalidRequest,
    NotFound,
    Refused,
    VaspguardError,
)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:vaspguard:problem:"
_encoder = msgspec.json.Encoder()
_log = logging.getLogger("vaspguard.api")


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """A problem-details response; ``kind`` names the problem type (``None``: ``about:blank``)."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    return Response(_encoder.encode(body), status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _pointer(loc: tuple[Any, ...] | list[Any]) -> dict[str, Any]:
    """``{"pointer": "/a/0/b"}`` for a body location, ``{"loc": [...]}`` for a parameter."""
    if loc and loc[0] == "body":
        # A union body adds the member model's name (``ScreenQuery``) to the path: not a JSON member.
        kept = [p for p in loc[1:] if not (isinstance(p, str) and p[:1].isupper())]
        parts = [str(p).replace("~", "~0").replace("/", "~1") for p in kept]
        return {"pointer": "/" + "/".join(parts) if parts else ""}
    return {"loc": [str(p) for p in loc]}


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return http_problem(request, exc)


def http_problem(request: Request, exc: HTTPException) -> Response:
    """An ``HTTPException`` (401, 403, 404, 405, 413 ...) as problem details."""
    detail = exc.detail if isinstance(exc.detail, str) else _phrase(exc.status_code)
    return problem(request, exc.status_code, detail, headers=exc.headers)


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    found = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in found):
        return _bad_json(request, "the body is not valid JSON")
    # Only where and what: never ``input`` (the submitted value) or pydantic's ``ctx``/``url``.
    errors = [{**_pointer(e.get("loc", ())), "detail": str(e.get("msg", "invalid"))} for e in found]
    where = ", ".join(str(e.get("pointer", e.get("loc"))) for e in errors[:5])
    return problem(
        request,
        422,
        f"{len(errors)} invalid field(s): {where}",
        kind="validation",
        title="Request validation failed",
        errors=errors,
    )


def _bad_json(request: Request, detail: str) -> Response:
    return problem(
        request, 400, detail, kind="invalid-json", title="Malformed JSON body", error="MalformedJSON"
    )


def status_of(exc: VaspguardError) -> int:
    # (NotFound and AlreadyExists are input errors too: an unknown id, a repeated submission)
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, AlreadyExists):
        return 409
    if isinstance(exc, InputError):
        return 400
    if isinstance(exc, Refused):
        return 403
    return 409


def _vaspguard_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VaspguardError)
    if isinstance(exc, MalformedJSON):
        return _bad_json(request, str(exc))
    name = type(exc).__name__
    extensions: dict[str, Any] = {"error": name}
    if isinstance(exc, InvalidFields):
        extensions["errors"] = [
            {"pointer": _field_pointer(p.field), "detail": p.reason} for p in exc.problems
        ]
    elif isinstance(exc, InvalidRequest):
        extensions["errors"] = [{"pointer": _field_pointer(exc.field), "detail": exc.reason}]
    return problem(request, status_of(exc), str(exc), kind=_kebab(name), title=_title(name), **extensions)


def _field_pointer(field: str) -> str:
    """A dotted field name (``targets.0.name``) as a JSON Pointer; ``(body)`` is the whole body."""
    if not field or field.startswith("("):
        return ""
    parts = field.replace("[", ".").replace("]", "").split(".")
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts if p)


def _kebab(name: str) -> str:
    return "".join("-" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _title(name: str) -> str:
    return _kebab(name).replace("-", " ").capitalize()


def _internal_error(request: Request, exc: Exception) -> Response:
    _log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(request, 500, "the server failed to handle this request; it has been logged")


def install(app: FastAPI) -> None:
    """Register the handlers: every error the app answers becomes problem details."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(VaspguardError, _vaspguard_error)
    app.add_exception_handler(Exception, _internal_error)


@dataclass
class MalformedJSON(InvalidRequest):
    """A body that is not JSON, raised by the plain (non-FastAPI) endpoints; answered like FastAPI's own."""
