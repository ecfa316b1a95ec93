"""The engine wired to a database: registry facts, the decision log, policy versions in the audit log.

``PolicyService`` is what the CLI and the API use. The first time a ``policy_version`` is used on a
database it is recorded in ``policy_versions`` and appended to the audit log as a ``policy.version`` event
(which packs, from where, with which SHA-256), so a change of any pack, built-in or custom, is on the
tamper-evident record before it decides anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from vaspguard.errors import VaspguardError
from vaspguard.policy._engine import Engine
from vaspguard.policy._log import DecisionLog
from vaspguard.policy._model import Decision
from vaspguard.policy._packs import RulePack, builtin_packs, load_pack
from vaspguard.policy._request import parse_request
from vaspguard.policy._sources import RegistrySource
from vaspguard.policy._tables import PolicyVersionRow
from vaspguard.store import Store, utcnow

AuditFactory = Callable[[Store], Any]


def _open_audit(store: Store) -> Any:
    from vaspguard.audit import AuditLog

    return AuditLog.open(store)


def load_packs(paths: Iterable[Path | str] = (), *, builtin: bool = True) -> list[RulePack]:
    """The built-in packs (unless ``builtin`` is false) followed by the packs at ``paths``."""
    packs = builtin_packs() if builtin else []
    packs += [load_pack(p) for p in paths]
    return packs


def error_json(exc: VaspguardError, *, line: int | None = None) -> dict[str, Any]:
    """A request's error as the JSON object put where its decision would be."""
    err: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    for name in ("field", "reason", "kind", "key"):
        if hasattr(exc, name):
            err[name] = getattr(exc, name)
    if line is not None:
        err["line"] = line
    return {"error": err}


class PolicyService:
    def __init__(
        self,
        store: Store,
        packs: Sequence[RulePack] | None = None,
        *,
        audit: AuditFactory = _open_audit,
        log_decisions: bool = True,
        actor: str = "vaspguard",
    ) -> None:
        self.store = store
        self.source = RegistrySource(store)
        self.engine = Engine(packs if packs is not None else builtin_packs(), facts_source=self.source)
        self.log = DecisionLog(store) if log_decisions else None
        self._audit = audit
        self.actor = actor
        self._registered = False

    @property
    def policy_version(self) -> str:
        return self.engine.policy_version

    def register_version(self) -> bool:
        """Record this policy version (and log it to the audit log) if the database has not seen it."""
        if self._registered:
            return False
        version = self.engine.policy_version
        with self.store.connect() as conn:
            known = conn.execute(
                select(PolicyVersionRow.policy_version).where(PolicyVersionRow.policy_version == version)
            ).first()
        if known is not None:
            self._registered = True
            return False
        packs = [
            {"id": p.id, "source": p.source, "sha256": p.sha256, "title": p.spec.title}
            for p in self.engine.packs
        ]
        from vaspguard.audit import Event

        self._audit(self.store).append(
            Event(
                type="policy.version",
                actor=self.actor,
                actor_role="compliance",
                subjects=(f"policy:{version}",),
                policy_version=version,
                payload={"packs": packs, "rules": list(self.engine.rule_ids)},
            )
        )
        try:
            with self.store.connect() as conn:
                conn.execute(
                    insert(PolicyVersionRow).values(
                        policy_version=version, packs=json.dumps(packs), first_seen=utcnow()
                    )
                )
        except IntegrityError:
            # Another process (a second server worker) recorded it between our check and insert; both
            # audit events stand (the version was put in force twice, by two processes).
            pass
        self._registered = True
        return True

    def decide(self, request: Mapping[str, Any]) -> Decision:
        facts = parse_request(request, source=self.source, assets=self.engine.assets)
        decision = self.engine.decide_facts(facts)
        if self.log is not None:
            decision_id = self.log.record(request, decision, facts)
            if decision_id is not None:
                decision.extra["decision_id"] = decision_id
        return decision

    def decide_json(self, request: Any, *, line: int | None = None) -> dict[str, Any]:
        """One request to its decision JSON, or to an error object naming the field (never raises for a
        user's mistake)."""
        try:
            if not isinstance(request, Mapping):
                from vaspguard.errors import InvalidRequest

                raise InvalidRequest("(request)", f"expected a JSON object, got {type(request).__name__}")
            return self.decide(request).to_json()
        except VaspguardError as exc:
            out = error_json(exc, line=line)
            if isinstance(request, Mapping) and request.get("request_id", request.get("id")) is not None:
                out["request_id"] = str(request.get("request_id", request.get("id")))
            return out

    def close(self) -> None:
        if self.log is not None:
            self.log.close()
