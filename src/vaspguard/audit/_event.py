"""Audit events and their canonical entry bytes (schema version 1).

An entry is the UTF-8 of a JSON object with exactly these keys, sorted, no insignificant whitespace, non-ASCII
characters as themselves (RFC 8785-style canonical form; only strings, integers, null and string lists occur,
so no number formatting question arises)::

    {"actor": str, "actor_region": str, "actor_role": str, "commitment": hex64, "idx": int,
     "policy_version": str|null, "subjects": [str], "ts": "YYYY-MM-DDTHH:MM:SS.ffffffZ", "type": str, "v": 1}

``idx`` is the entry's own leaf index, so a moved entry betrays itself. ``commitment`` is
``HMAC-SHA-256(key=salt, msg=canonical JSON of the payload)`` with a fresh 32-byte salt: the payload
(which may hold personal data) and its salt live in an ordinary, erasable table; the leaf holds only the
commitment, which reveals nothing without the salt. Actor and subjects are identifiers (staff ids,
``request:R1``, ``customer:C123``), never names: they stay in the log forever.

``decode_entry`` is strict: any entry that does not re-encode to identical bytes is rejected.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vaspguard._json import canonical_json
from vaspguard.errors import InvalidRequest

SCHEMA_VERSION = 1
SALT_SIZE = 32
_KEYS = frozenset(
    {
        "v",
        "idx",
        "type",
        "ts",
        "actor",
        "actor_role",
        "actor_region",
        "subjects",
        "policy_version",
        "commitment",
    }
)
_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\Z")
_TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_MAX_TEXT = 200


class EntryError(ValueError):
    """An entry that is not the canonical encoding of a version-1 event."""


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened and matters: who did what, in which role and region, about what, under which
    policy. ``payload`` (JSON-able) is kept outside the log, erasable; only its salted commitment is logged.
    The time is the log's own clock at append, so nobody can backdate an entry."""

    type: str
    actor: str
    actor_role: str = ""
    actor_region: str = ""
    subjects: tuple[str, ...] = ()
    policy_version: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)

    def check(self) -> bytes:
        """The canonical JSON of the payload; ``InvalidRequest`` naming the field if the event cannot be
        logged."""
        if not _TYPE.match(self.type) or len(self.type) > 100:
            raise InvalidRequest(
                "type", f"{self.type!r} is not a dotted lower-case event type like 'lists.import'"
            )
        if not self.actor.strip():
            raise InvalidRequest("actor", "every event needs the actor who caused it")
        for name in ("actor", "actor_role", "actor_region"):
            value = getattr(self, name)
            if not isinstance(value, str) or len(value) > _MAX_TEXT or _has_control(value):
                raise InvalidRequest(name, f"must be text of at most {_MAX_TEXT} characters without controls")
        if isinstance(self.subjects, str):
            raise InvalidRequest("subjects", "a tuple of references such as ('request:R1',), not one string")
        for subject in self.subjects:
            if (
                not isinstance(subject, str)
                or not subject
                or len(subject) > _MAX_TEXT
                or _has_control(subject)
            ):
                raise InvalidRequest(
                    "subjects", f"{subject!r} is not a reference of 1..{_MAX_TEXT} characters"
                )
        if len(set(self.subjects)) != len(self.subjects):
            raise InvalidRequest("subjects", "references must be distinct")
        if self.policy_version is not None and (
            not isinstance(self.policy_version, str) or len(self.policy_version) > _MAX_TEXT
        ):
            raise InvalidRequest("policy_version", f"must be text of at most {_MAX_TEXT} characters")
        if not isinstance(self.payload, Mapping):
            raise InvalidRequest("payload", "must be a mapping (a JSON object)")
        try:
            return canonical_json(dict(self.payload))
        except (TypeError, ValueError) as exc:
            raise InvalidRequest("payload", f"not JSON-able: {exc}") from None


@dataclass(frozen=True, slots=True)
class Entry:
    """A decoded version-1 entry (what the leaf commits to)."""

    idx: int
    type: str
    ts: str
    actor: str
    actor_role: str
    actor_region: str
    subjects: tuple[str, ...]
    policy_version: str | None
    commitment: str

    @property
    def time(self) -> datetime:
        return datetime.strptime(self.ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_SIZE)


def new_salts(count: int) -> list[bytes]:
    """``count`` independent salts from one read of the OS random source."""
    pool = secrets.token_bytes(SALT_SIZE * count)
    return [pool[i : i + SALT_SIZE] for i in range(0, SALT_SIZE * count, SALT_SIZE)]


def commitment(salt: bytes, payload_json: bytes) -> str:
    """``HMAC-SHA-256(key=salt, msg=payload)`` in hex: binding, and hiding while the salt is secret."""
    return hmac.digest(salt, payload_json, "sha256").hex()


def format_ts(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_entry(event: Event, *, idx: int, ts: datetime | str, commitment_hex: str) -> bytes:
    """The canonical entry bytes of ``event`` at leaf index ``idx`` (``ts`` a datetime or ``format_ts``'s
    text, which a batch computes once)."""
    return _entry_text(
        {
            "idx": idx,
            "type": event.type,
            "ts": ts if isinstance(ts, str) else format_ts(ts),
            "actor": event.actor,
            "actor_role": event.actor_role,
            "actor_region": event.actor_region,
            "subjects": event.subjects,
            "policy_version": event.policy_version,
            "commitment": commitment_hex,
        }
    ).encode("utf-8")


def decode_entry(data: bytes) -> Entry:
    """Parse and validate entry bytes; raise ``EntryError`` unless they are exactly the canonical form."""
    obj = check_entry(data)
    return Entry(
        idx=obj["idx"],
        type=obj["type"],
        ts=obj["ts"],
        actor=obj["actor"],
        actor_role=obj["actor_role"],
        actor_region=obj["actor_region"],
        subjects=tuple(obj["subjects"]),
        policy_version=obj["policy_version"],
        commitment=obj["commitment"],
    )


def check_entry(data: bytes) -> dict[str, Any]:
    """The validated JSON object of canonical entry bytes (the verifier's hot path); ``EntryError`` if not."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise EntryError(f"not UTF-8 JSON: {exc}") from None
    if type(obj) is not dict or obj.keys() != _KEYS:
        raise EntryError("not a version-1 event object (wrong key set)")
    _check_fields(obj)
    if _entry_text(obj).encode("utf-8") != data:
        raise EntryError("entry bytes are not the canonical encoding of their own content")
    return obj


def _check_fields(obj: dict[str, Any]) -> None:
    if obj["v"] != SCHEMA_VERSION or type(obj["v"]) is not int:
        raise EntryError(f"unknown schema version {obj['v']!r}")
    if type(obj["idx"]) is not int or obj["idx"] < 0:
        raise EntryError("idx is not a non-negative integer")
    for key in ("type", "ts", "actor", "actor_role", "actor_region", "commitment"):
        if not isinstance(obj[key], str):
            raise EntryError(f"{key} is not a string")
    if not _TYPE.match(obj["type"]):
        raise EntryError(f"bad event type {obj['type']!r}")
    if not _TS.match(obj["ts"]):
        raise EntryError(f"bad timestamp {obj['ts']!r}")
    if not _HEX64.match(obj["commitment"]):
        raise EntryError("commitment is not 64 lower-case hex digits")
    subjects = obj["subjects"]
    if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
        raise EntryError("subjects is not a list of strings")
    if obj["policy_version"] is not None and not isinstance(obj["policy_version"], str):
        raise EntryError("policy_version is neither a string nor null")


# A JSON string exactly as the canonical encoder writes it (``ensure_ascii=False``): any character but '"',
# '\\' and controls, which appear only as the encoder's own escapes (\" \\ \b \f \n \r \t, else \u00xx in
# lower-case hex). Possessive quantifiers: no backtracking on a bad line.
_JSON_STR = r'"(?:[^"\\\x00-\x1f]++|\\(?:["\\bfnrt]|u00(?:0[0-7bef]|1[0-9a-f])))*+"'
_CANONICAL_ENTRY = re.compile(
    r'\{"actor":S,"actor_region":S,"actor_role":S,"commitment":"([0-9a-f]{64})","idx":(0|[1-9][0-9]*),'
    r'"policy_version":(?:null|S),"subjects":\[(?:S(?:,S)*+)?\],'
    r'"ts":"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)",'
    r'"type":"[a-z][a-z0-9_]*+(?:\.[a-z0-9_]++)*+","v":1\}'.replace("S", _JSON_STR)
).fullmatch


def canonical_fields(data: bytes) -> tuple[int, str, str] | None:
    """(idx, commitment, ts) of canonical entry bytes, by one match of the whole line against the grammar of
    the canonical encoding (the verifier's fast path, no JSON objects built); ``None`` when the line does not
    match, and the caller falls back to ``check_entry`` for the verdict and its reason.

    Sound because the grammar accepts only what ``check_entry`` accepts (fixed key order and set, canonical
    string escapes, no leading zeros, the validated type, time and commitment forms); a property test holds
    the two together on encoder output and on mutated lines."""
    try:
        match = _CANONICAL_ENTRY(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if match is None:
        return None
    return int(match[2]), match[1], match[3]


_str = json.encoder.encode_basestring  # the C string encoder the canonical JSONEncoder uses


def _entry_text(obj: Mapping[str, Any]) -> str:
    """``canonical_json`` of a version-1 entry object, spelled out field by field (3x faster; a property
    test holds the two equal). ``type``, ``ts`` and ``commitment`` are validated to need no escaping."""
    policy = obj["policy_version"]
    text: str = (
        '{"actor":'
        + _str(obj["actor"])
        + ',"actor_region":'
        + _str(obj["actor_region"])
        + ',"actor_role":'
        + _str(obj["actor_role"])
        + ',"commitment":"'
        + obj["commitment"]
        + '","idx":'
        + str(obj["idx"])
        + ',"policy_version":'
        + ("null" if policy is None else _str(policy))
        + ',"subjects":['
        + ",".join(map(_str, obj["subjects"]))
        + '],"ts":"'
        + obj["ts"]
        + '","type":"'
        + obj["type"]
        + '","v":1}'
    )
    return text


def utc_now() -> datetime:
    return datetime.now(UTC)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None
