"""What the OpenAPI document says about errors.

Every error the API answers is RFC 9457 problem details (``_problems``); FastAPI's generated document knows
only its own 422 shape. ``document_problems`` declares the ``Problem`` schema and, on every operation, the
error statuses it can answer with that media type, so a client (or Schemathesis) can check any answer
against the document. The schema is built by a function, not held in module state.
"""

from __future__ import annotations

from typing import Any

from vaspguard.api._problems import MEDIA_TYPE

_ERRORS = (
    ("400", "Malformed JSON, or a field the capability refuses (problem details naming it)"),
    ("401", "Missing, unknown or revoked bearer token"),
    ("403", "The token's role may not use this route, or a safeguard refused"),
    ("404", "No such resource"),
    ("409", "A repeated submission, or a state that does not allow it"),
    ("413", "The body is larger than this route's limit"),
    ("422", "A parameter or field is invalid, or the body is unacceptable JSON"),
)


def problem_schema() -> dict[str, Any]:
    """RFC 9457 section 3.1 members, and vaspguard's extension members (section 3.2)."""
    pointer = {
        "type": "object",
        "properties": {
            "pointer": {"type": "string"},
            "loc": {"type": "array", "items": {"type": "string"}},
            "detail": {"type": "string"},
        },
        "required": ["detail"],
    }
    return {
        "type": "object",
        "required": ["type", "title", "status", "detail", "instance"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "error": {"type": "string"},
            "errors": {"type": "array", "items": pointer},
        },
    }


def document_problems(schema: dict[str, Any]) -> None:
    """Declare ``Problem`` and give every ``/v1`` operation its error answers as problem details (FastAPI's
    own 422 description, which the API never answers with, is replaced)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = problem_schema()
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in _ERRORS:
                responses[status] = {
                    "description": description,
                    "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                }
