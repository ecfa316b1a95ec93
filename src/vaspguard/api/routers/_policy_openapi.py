"""The OpenAPI description of ``POST /v1/decisions``, a plain Starlette endpoint FastAPI cannot describe.

Precise enough for a client generator or Schemathesis: the three body shapes (one request, ``{"requests"}``,
an array), every request field with its closed vocabularies, and the decision and batch answers.
"""

from __future__ import annotations

from typing import Any

_DESCRIPTION = (
    'Body: one decision request, `{"requests": [...]}`, or a JSON array of requests. Numbers are read as '
    "exact decimals. Answer: one decision or, for a batch, `{policy_version, decisions}` in the same order, "
    "with `{error: {...}}` in place of a malformed request. A single request that is malformed is a 400 "
    "problem naming the field. Roles: service, compliance (admin passes); a token's check is remembered "
    "for 2 s."
)


def paths() -> dict[str, Any]:
    """``POST /v1/decisions`` (a plain Starlette endpoint, so described by hand)."""
    request = {"$ref": "#/components/schemas/DecisionRequest"}
    return {
        "/v1/decisions": {
            "post": {
                "tags": ["policy"],
                "summary": "Decide one customer action, or a batch (up to 10,000)",
                "operationId": "decide",
                "description": _DESCRIPTION,
                "security": [{"HTTPBearer": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "anyOf": [
                                    request,
                                    {
                                        "type": "object",
                                        "required": ["requests"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "requests": {
                                                "type": "array",
                                                "items": request,
                                                "maxItems": 10_000,
                                            }
                                        },
                                    },
                                    {"type": "array", "items": request, "maxItems": 10_000},
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "The decision, or the batch's decisions in order",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "anyOf": [
                                        {"$ref": "#/components/schemas/Decision"},
                                        {"$ref": "#/components/schemas/DecisionBatch"},
                                    ]
                                }
                            }
                        },
                    }
                },
            }
        }
    }


def components() -> dict[str, Any]:
    """The schemas ``paths`` refers to: the request as ``policy.parse_request`` reads it, the answer as
    ``Decision.to_json`` and ``error_json`` write it."""
    return {"DecisionRequest": _request(), **_answers()}


def _request() -> dict[str, Any]:
    from vaspguard.policy import Action, Flag

    text = {"type": "string"}
    date = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    amount = {"anyOf": [{"type": "number", "minimum": 0}, {"type": "string"}, {"type": "null"}]}
    nullable_text = {"type": ["string", "null"]}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["customer", "action", "at"],
        "properties": {
            "customer": _customer(),
            "action": {"enum": [a.value for a in Action]},
            "at": date,
            "holdings_eur": amount,
            "amount_eur": amount,
            "asset": text,
            "counterparty": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "chain": nullable_text,
                    "address": nullable_text,
                    "listed": {"type": "boolean"},
                },
            },
            "flags": {"type": "array", "items": {"enum": [f.value for f in Flag]}},
            "login_country": text,
            "request_id": text,
            "id": text,
        },
    }


def _answers() -> dict[str, Any]:
    from vaspguard.policy import Outcome

    text = {"type": "string"}
    nullable_text = {"type": ["string", "null"]}
    rule_hit = {
        "type": "object",
        "required": ["rule_id", "outcome", "citation"],
        "properties": {"rule_id": text, "outcome": {"enum": [o.value for o in Outcome]}, "citation": text},
    }
    return {
        "Decision": {
            "type": "object",
            "required": ["decision", "rule_id", "citation", "policy_version", "reasons", "report", "rules"],
            "properties": {
                "decision": {"enum": [o.value for o in Outcome]},
                "rule_id": nullable_text,
                "citation": nullable_text,
                "policy_version": text,
                "reasons": {"type": "array", "items": text},
                "report": {"type": "boolean"},
                "rules": {"type": "array", "items": rule_hit},
                "request_id": text,
                "customer_id": text,
            },
        },
        "DecisionError": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["type", "message"],
                    "properties": {"type": text, "message": text, "field": text, "reason": text},
                },
                "request_id": text,
            },
        },
        "DecisionBatch": {
            "type": "object",
            "required": ["policy_version", "decisions"],
            "properties": {
                "policy_version": text,
                "decisions": {
                    "type": "array",
                    "items": {
                        "anyOf": [
                            {"$ref": "#/components/schemas/Decision"},
                            {"$ref": "#/components/schemas/DecisionError"},
                        ]
                    },
                },
            },
        },
    }


def _customer() -> dict[str, Any]:
    text = {"type": "string"}
    facts = {"type": "array", "items": {"type": "object"}}
    countries = {"type": "array", "items": text}
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "The customer's facts inline, or only {id} to read them from the registry.",
        "properties": {
            "id": text,
            "type": {"enum": ["natural", "legal"]},
            "nationalities": countries,
            "nationality": text,
            "residence": text,
            "established": text,
            "residence_permits": facts,
            "visas": facts,
            "permit_applications": facts,
            "owners": facts,
            "authorisations": facts,
            "listed": {"type": "boolean"},
            "login_country": text,
            "name": text,
            "names": countries,
            "birth_date": text,
            "kyc_status": text,
        },
    }
