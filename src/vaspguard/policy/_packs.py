"""Rule packs: YAML data files, validated against a schema on load, hashed into a ``policy_version``.

A pack (``schema: vaspguard.policy/1``) has named country ``sets``, named ``persons`` (conditions on a
person), named ``exemptions`` and ``rules``. A rule covers ``actions`` in an ``effective`` interval (both
ends inclusive, UTC dates), applies when its ``when`` condition holds, and gives its ``outcome`` unless an
exemption matches: an ``allow`` exemption lifts the rule, a ``review`` exemption softens it to review.
The condition vocabulary is closed and documented in ``_engine.CONDITION_KEYS``; anything else is refused
on load with the file, rule and key named. The built-in packs live in ``vaspguard/policy/packs/``;
compliance teams add their own the same way (``--pack FILE``).

``policy_version`` is ``sha256:`` over each loaded pack's id and the SHA-256 of its exact bytes, in load
order: any change to any pack, including a comment, is a new version, so a decision names the text that
made it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from vaspguard.errors import InvalidFile

SCHEMA = "vaspguard.policy/1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitationSpec(_Strict):
    """A legal citation: act, article, paragraph, amending act; ``confidence`` as in the background doc
    (V verified, S secondary source, R recollection)."""

    act: str
    article: str | None = None
    paragraph: str | None = None
    amended_by: str | None = None
    url: str | None = None
    confidence: Literal["V", "S", "R"] | None = None
    note: str | None = None

    def render(self) -> str:
        text = self.act
        if self.article:
            text += f", Art {self.article}"
            if self.paragraph:
                text += f"({self.paragraph})"
        if self.amended_by:
            text += f", as amended by {self.amended_by}"
        return text


class Effective(_Strict):
    from_: date | None = Field(default=None, alias="from")
    until: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Effective:
        if self.from_ and self.until and self.until < self.from_:
            raise ValueError(f"effective interval ends ({self.until}) before it starts ({self.from_})")
        return self


class ExemptionSpec(_Strict):
    title: str
    citation: CitationSpec
    when: dict[str, Any]
    outcome: Literal["allow", "review"]
    reason: str
    remedy: str | None = None  # for notices: how a customer shows this exemption applies


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    title: str
    citation: CitationSpec
    effective: Effective = Effective()
    actions: list[str] | Literal["all"]
    when: dict[str, Any] = {}
    outcome: Literal["allow", "review", "deny"]
    report: bool = False
    reason: str
    remedy: str | None = None  # for notices: what a customer can do or prove
    exemptions: list[str] = []


class PackSpec(_Strict):
    schema_: Literal["vaspguard.policy/1"] = Field(alias="schema")
    pack: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    title: str
    regime: str
    description: str = ""
    sets: dict[str, list[str]] = {}
    persons: dict[str, dict[str, Any]] = {}
    exemptions: dict[str, ExemptionSpec] = {}
    rules: list[RuleSpec]

    @model_validator(mode="after")
    def _references(self) -> PackSpec:
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate rule ids: {', '.join(dupes)}")
        for rule in self.rules:
            for ex in rule.exemptions:
                if ex not in self.exemptions:
                    raise ValueError(f"rule {rule.id}: unknown exemption {ex!r}")
        return self


@dataclass(frozen=True, slots=True)
class RulePack:
    """A loaded, validated pack: its ``spec``, where it came from and the SHA-256 of its bytes."""

    spec: PackSpec
    source: str
    sha256: str

    @property
    def id(self) -> str:
        return self.spec.pack


def parse_pack(text: bytes, source: str) -> RulePack:
    """Validate one pack's bytes; ``InvalidFile(source, reason)`` names what is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidFile(source, f"not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise InvalidFile(source, "a rule pack is a YAML mapping")
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(pack)"
        raise InvalidFile(source, f"{where}: {first['msg']} ({len(exc.errors())} error(s))") from None
    return RulePack(spec=spec, source=source, sha256=hashlib.sha256(text).hexdigest())


def load_pack(path: Path | str) -> RulePack:
    p = Path(path)
    try:
        text = p.read_bytes()
    except OSError as exc:
        raise InvalidFile(p, f"cannot read: {exc.strerror}") from None
    return parse_pack(text, str(p))


BUILTIN = (
    "eu-833-2014-art5b",
    "listed-persons",
    "listed-addresses",
    "ofac-jurisdictions",
    "eu-prohibited-assets",
)


def builtin_packs(names: Sequence[str] = BUILTIN) -> list[RulePack]:
    """The packs shipped in ``vaspguard/policy/packs`` (all of them by default)."""
    folder = resources.files("vaspguard.policy") / "packs"
    out = []
    for name in names:
        if name not in BUILTIN:
            raise InvalidFile(name, f"no built-in pack of that name; built-in: {', '.join(BUILTIN)}")
        out.append(parse_pack((folder / f"{name}.yaml").read_bytes(), f"builtin:{name}"))
    return out


def policy_version(packs: Sequence[RulePack]) -> str:
    h = hashlib.sha256()
    for pack in packs:
        h.update(f"{pack.id}:{pack.sha256}\n".encode())
    return "sha256:" + h.hexdigest()
