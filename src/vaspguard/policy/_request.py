"""The decision request: a JSON-shaped mapping parsed and validated into ``Facts``.

Request (field names as in the issue)::

    {"customer": {...} | {"id": "C1"}, "action": "deposit", "at": "2022-05-01",
     "holdings_eur": "9000", "amount_eur": "1000.01", "asset": "BTC",
     "counterparty": {"chain": "ETH", "address": "0x..."}, "flags": ["reduce_only"],
     "login_country": "UA-43", "request_id": "r-17"}

Every fact is checked: an unknown action, flag or field, a date that is not ``YYYY-MM-DD``, a country that
is not ISO 3166-1 alpha-2 (regions ISO 3166-2), a negative or non-decimal amount, each raise
``InvalidRequest(field, reason)`` naming the field by its path (``customer.residence_permits[0].kind``).
Nothing is defaulted that a rule reads: the date, the action and the customer type are required (the type
is inferred only when the customer's facts admit one reading, and the decision says so). Amounts given as
JSON numbers are read exactly when the JSON was parsed with ``parse_float=Decimal`` (the CLI and API do).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from vaspguard.errors import InvalidRequest
from vaspguard.policy._countries import check_code, location
from vaspguard.policy._fold import fold_code
from vaspguard.policy._model import Action, Authorisation, Facts, Flag, OwnerFacts, Permit


class FactSource(Protocol):
    """Where facts not in the request come from: the registry (``RegistrySource``) or a test double."""

    def customer(self, customer_id: str, at: date) -> dict[str, Any]:
        """The customer's facts on ``at`` in the inline request shape, plus ``holdings_eur`` and, when
        known, ``login_country``. Raises ``NotFound`` for an unknown id."""
        ...

    def address_listed(self, chain: str | None, address: str) -> bool: ...


_TOP = frozenset(
    {
        "customer",
        "action",
        "at",
        "holdings_eur",
        "amount_eur",
        "asset",
        "counterparty",
        "flags",
        "login_country",
        "request_id",
        "id",
    }
)
_CUSTOMER = frozenset(
    {
        "id",
        "type",
        "nationalities",
        "nationality",
        "residence",
        "established",
        "residence_permits",
        "visas",
        "permit_applications",
        "owners",
        "authorisations",
        "listed",
        "login_country",  # accepted here too; the request's own login_country wins
        # Identity fields a caller may send along; no rule reads them.
        "name",
        "names",
        "birth_date",
        "kyc_status",
    }
)
_PERMIT = frozenset({"country", "kind", "valid_from", "valid_until", "number", "document"})
_VISA = frozenset({"country", "kind", "valid_from", "valid_until"})
_APPLICATION = frozenset({"country", "filed_on", "status"})
_OWNER = frozenset(
    {
        "name",
        "type",
        "customer_id",
        "nationalities",
        "nationality",
        "residence",
        "established",
        "share",
        "control",
    }
)
_AUTHORISATION = frozenset({"legal_basis", "scope", "authority", "reference", "valid_from", "valid_until"})
_COUNTERPARTY = frozenset({"chain", "address", "listed"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ACTIONS = {a.value: a for a in Action}
_FLAGS = frozenset(f.value for f in Flag)


def _fail(field: str, reason: str) -> InvalidRequest:
    return InvalidRequest(field, reason)


def _shown(value: Any) -> str:
    """A refused value as an error line may quote it: its repr, cut to 40 characters (an error names the
    field and what is wrong; it never echoes a whole submitted value back)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _mapping(value: Any, field: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if type(value) is dict and value.keys() <= allowed:
        return value
    if not isinstance(value, Mapping):
        raise _fail(field, f"expected an object, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise _fail(
            f"{field}.{unknown[0]}" if field else unknown[0],
            f"unknown field; known: {', '.join(sorted(allowed))}",
        )
    return value


def _list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _fail(field, f"expected a list, got {type(value).__name__}")
    return list(value)


def parse_date(value: Any, field: str, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            raise _fail(field, "required (YYYY-MM-DD); there is no default date")
        return None
    if isinstance(value, date):
        return value
    known = _DATES.get(value) if isinstance(value, str) else None
    if known is not None:
        return known
    if not isinstance(value, str) or not _DATE.match(value):
        raise _fail(field, f"expected a date YYYY-MM-DD, got {_shown(value)}")
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(field, f"not a calendar date: {_shown(value)} ({exc})") from None
    if len(_DATES) < 100_000:
        _DATES[value] = parsed
    return parsed


_CODES: dict[str, str] = {}
_WHERE: dict[str, frozenset[str]] = {}
_DATES: dict[str, date] = {}


def _country(value: Any, field: str) -> str:
    code = _CODES.get(value) if isinstance(value, str) else None
    if code is not None:
        return code
    why = check_code(value)
    if why is not None:
        raise _fail(field, why)
    code = str(value).strip().upper()
    if len(_CODES) < 10_000:
        _CODES[value] = code
    return code


def _countries(value: Any, field: str) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if type(value) is list:
        # Fast path: every code already seen (no field paths built unless one needs checking).
        known = [_CODES.get(v) if type(v) is str else None for v in value]
        if None not in known:
            return frozenset(known)  # type: ignore[arg-type]
    return frozenset(_country(v, f"{field}[{i}]") for i, v in enumerate(_list(value, field)))


def _where(value: Any, field: str) -> frozenset[str]:
    if value is None or value == "":  # an empty string is a fact not given, as null is
        return frozenset()
    where = _WHERE.get(value) if isinstance(value, str) else None
    if where is None:
        where = location(_country(value, field))
        if len(_WHERE) < 10_000:
            _WHERE[value] = where
    return where


_AMOUNT_DIGITS = 18


def _amount(value: Any, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _fail(field, "expected a decimal amount in EUR")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise _fail(field, f"not a decimal amount: {_shown(value)}") from None
    if not amount.is_finite() or amount < 0:
        raise _fail(field, f"expected a non-negative amount, got {_shown(value)}")
    if amount.adjusted() >= _AMOUNT_DIGITS:  # '1e999999999' is finite, but overflows any sum
        raise _fail(field, f"expected an amount below EUR 10^{_AMOUNT_DIGITS}")
    return amount


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(field, "expected a non-empty string")
    return value.strip()


def _bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(field, f"expected true or false, got {_shown(value)}")
    return value


def _nationalities(c: Mapping[str, Any], field: str) -> frozenset[str]:
    out = _countries(c.get("nationalities"), f"{field}.nationalities")
    if c.get("nationality") is not None:
        out |= {_country(c["nationality"], f"{field}.nationality")}
    return out


def _listed(value: Any, field: str) -> tuple[str, ...]:
    if value is None or value is False:
        return ()
    if value is True:
        return ("listed",)
    if isinstance(value, str):
        return (value,)
    items = _list(value, field)
    return tuple(_text(v, f"{field}[{i}]") for i, v in enumerate(items))


def _type(c: Mapping[str, Any], field: str, notes: list[str]) -> str:
    kind = c.get("type")
    if kind is not None:
        if kind not in ("natural", "legal"):
            raise _fail(f"{field}.type", f"expected natural or legal, got {_shown(kind)}")
        return str(kind)
    natural = [
        k
        for k in (
            "nationalities",
            "nationality",
            "residence",
            "residence_permits",
            "visas",
            "permit_applications",
        )
        if c.get(k)
    ]
    legal = [k for k in ("established", "owners") if c.get(k)]
    if natural and not legal:
        notes.append(f"customer type not given: taken as natural from {', '.join(natural)}")
        return "natural"
    if legal and not natural:
        notes.append(f"customer type not given: taken as legal from {', '.join(legal)}")
        return "legal"
    raise _fail(f"{field}.type", "required (natural or legal): the customer's facts do not settle it")


def _share(value: Any, field: str, notes: list[str]) -> Decimal | None:
    """A fraction 0..1; ``"60%"`` or a number above 1 (up to 100) is read as a percentage, and said."""
    if isinstance(value, str) and value.strip().endswith("%"):
        pct = _amount(value.strip()[:-1], field)
        share = None if pct is None else pct / 100
    else:
        share = _amount(value, field)
        if share is not None and 1 < share <= 100:
            notes.append(f"{field} {value} read as {share} % (a share is a fraction, 0.6 for 60 %)")
            share = share / 100
    if share is not None and share > 1:
        raise _fail(field, f"a share is a fraction from 0 to 1 (0.51 for 51 %), got {_shown(value)}")
    return share


def _owner(value: Any, field: str, notes: list[str]) -> OwnerFacts:
    o = _mapping(value, field, _OWNER)
    kind = o.get("type")
    if kind is None:
        kind = (
            "legal"
            if o.get("established") and not (o.get("nationalities") or o.get("nationality"))
            else "natural"
        )
    elif kind not in ("natural", "legal"):
        raise _fail(f"{field}.type", f"expected natural or legal, got {_shown(kind)}")
    share = _share(o.get("share"), f"{field}.share", notes)
    return OwnerFacts(
        type=str(kind),
        nationalities=_nationalities(o, field),
        residence=_where(o.get("residence"), f"{field}.residence"),
        established=_where(o.get("established"), f"{field}.established"),
        share=share,
        control=_bool(o.get("control", False), f"{field}.control"),
    )


def _permit(value: Any, field: str) -> Permit:
    p = _mapping(value, field, _PERMIT)
    # Art 5b(3) names "temporary or permanent" permits, i.e. every residence permit: a permit whose kind is
    # not given still counts; a kind that is neither is refused (a visa is not a permit).
    kind = p.get("kind", "unspecified")
    if kind not in ("temporary", "permanent", "unspecified"):
        raise _fail(f"{field}.kind", f"expected temporary or permanent, got {_shown(kind)}")
    valid_from = parse_date(p.get("valid_from"), f"{field}.valid_from", required=False)
    valid_until = parse_date(p.get("valid_until"), f"{field}.valid_until", required=False)
    if valid_from and valid_until and valid_until < valid_from:
        raise _fail(f"{field}.valid_until", "ends before valid_from")
    return Permit(_country(p.get("country"), f"{field}.country"), str(kind), valid_from, valid_until)


def _application(value: Any, field: str) -> str | None:
    a = _mapping(value, field, _APPLICATION)
    status = a.get("status", "pending")
    if status not in ("pending", "granted", "refused"):
        raise _fail(f"{field}.status", f"expected pending, granted or refused, got {_shown(status)}")
    parse_date(a.get("filed_on"), f"{field}.filed_on", required=False)
    country = _country(a.get("country"), f"{field}.country")
    # A granted application with no permit on record is still only an application here: review, not exempt.
    return None if status == "refused" else country


def parse_customer(c: Mapping[str, Any], field: str, notes: list[str]) -> dict[str, Any]:
    """The customer's facts as ``Facts`` keyword arguments (only the facts present; field paths for errors
    are built only when a fact is present, this is on the hot path)."""
    out: dict[str, Any] = {"type": _type(c, field, notes)}
    if c.get("nationalities") or c.get("nationality"):
        out["nationalities"] = _nationalities(c, field)
    if (v := c.get("residence")) is not None:
        out["residence"] = _where(v, f"{field}.residence")
    if (v := c.get("established")) is not None:
        out["established"] = _where(v, f"{field}.established")
    if v := c.get("residence_permits"):
        name = f"{field}.residence_permits"
        out["permits"] = tuple(_permit(p, f"{name}[{i}]") for i, p in enumerate(_list(v, name)))
    if v := c.get("visas"):
        visas = []
        for i, visa in enumerate(_list(v, f"{field}.visas")):
            vm = _mapping(visa, f"{field}.visas[{i}]", _VISA)
            visas.append(_country(vm.get("country"), f"{field}.visas[{i}].country"))
        out["visas"] = tuple(visas)
    if v := c.get("permit_applications"):
        name = f"{field}.permit_applications"
        apps = {_application(a, f"{name}[{i}]") for i, a in enumerate(_list(v, name))}
        out["applications"] = frozenset(a for a in apps if a is not None)
    if v := c.get("owners"):
        name = f"{field}.owners"
        out["owners"] = tuple(_owner(o, f"{name}[{i}]", notes) for i, o in enumerate(_list(v, name)))
    if v := c.get("authorisations"):
        auths = []
        for i, a in enumerate(_list(v, f"{field}.authorisations")):
            am = _mapping(a, f"{field}.authorisations[{i}]", _AUTHORISATION)
            basis = _text(am.get("legal_basis"), f"{field}.authorisations[{i}].legal_basis")
            auths.append(Authorisation(basis, str(am.get("scope") or "")))
        out["authorisations"] = tuple(auths)
    if (v := c.get("listed")) is not None:
        out["listed"] = _listed(v, f"{field}.listed")
    return out


def parse_request(
    request: Mapping[str, Any], *, source: FactSource | None = None, assets: Collection[str] = ()
) -> Facts:
    """Validate ``request`` into ``Facts``; facts of a ``{"id": ...}`` customer come from ``source``.

    ``asset`` and ``counterparty.chain`` must be ASCII identifiers; a disguised variant (confusable or
    invisible characters) is folded onto the code it imitates among ``assets`` (the codes the rules name)
    or the chains the lists know, and the decision's reasons say so (see ``_fold``)."""
    r = _mapping(request, "", _TOP)
    action_value = r.get("action")
    action = _ACTIONS.get(action_value) if isinstance(action_value, str) else None
    if action is None:
        raise _fail("action", f"unknown action {_shown(action_value)}; one of {', '.join(_ACTIONS)}")
    at = parse_date(r.get("at"), "at")
    assert at is not None
    notes: list[str] = []
    if "customer" not in r:
        raise _fail("customer", 'required: an inline customer or {"id": ...}')
    c = _mapping(r["customer"], "customer", _CUSTOMER)
    customer_id = c.get("id")
    if customer_id is not None and not isinstance(customer_id, str | int):
        raise _fail("customer.id", "expected a string")
    holdings = _amount(r.get("holdings_eur"), "holdings_eur")
    login = _where(r.get("login_country"), "login_country")
    unpriced: tuple[str, ...] = ()
    if customer_id is not None and set(c) <= {"id"}:
        facts, holdings, login, unpriced = _stored_customer(
            str(customer_id), at, source, holdings, login, notes
        )
    else:
        facts = parse_customer(c, "customer", notes)
        if not login and c.get("login_country") is not None:
            login = _where(c["login_country"], "customer.login_country")
    cp = r.get("counterparty")
    chain, address, cp_listed = (None, None, False) if cp is None else _counterparty(cp, source, notes)
    flags: frozenset[str] = frozenset()
    if raw_flags := r.get("flags"):
        flags = _flags(raw_flags)
    asset = r.get("asset")
    if asset is not None:
        asset, folded = fold_code(_text(asset, "asset"), lambda: assets, field="asset", what="asset")
        asset = asset.upper()
        if folded:
            notes.append(folded)
    request_id = r.get("request_id", r.get("id"))
    return Facts(
        action=action,
        at=at,
        login=login,
        holdings_eur=holdings,
        amount_eur=_amount(r.get("amount_eur"), "amount_eur"),
        asset=asset,
        counterparty_chain=chain,
        counterparty_address=address,
        counterparty_listed=cp_listed,
        flags=flags,
        customer_id=None if customer_id is None else str(customer_id),
        request_id=None if request_id is None else str(request_id),
        notes=tuple(notes) if notes else (),
        unpriced=unpriced,
        **facts,
    )


def _stored_customer(
    customer_id: str,
    at: date,
    source: FactSource | None,
    holdings: Decimal | None,
    login: frozenset[str],
    notes: list[str],
) -> tuple[dict[str, Any], Decimal | None, frozenset[str], tuple[str, ...]]:
    """A customer given by id: its facts from the registry, and the request's holdings and login location
    completed from it where the request leaves them out. Returns (facts, holdings, login, unpriced)."""
    if source is None:
        raise _fail("customer.id", "a customer by id needs the registry (run with a database)")
    where = f"customer {customer_id} (registry)"
    stored = source.customer(customer_id, at)
    facts = parse_customer(stored, where, notes)
    unpriced: tuple[str, ...] = ()
    if holdings is None:
        holdings = _amount(stored.get("holdings_eur"), f"{where}.holdings_eur")
        unpriced = tuple(stored.get("unpriced") or ())
        if unpriced:
            notes.append(f"no EUR price on {at} for {', '.join(unpriced)}: not counted in holdings")
    if not login and stored.get("login_country"):
        login = _where(stored["login_country"], f"{where}.login_country")
    return facts, holdings, login, unpriced


def _chains() -> frozenset[str]:
    """The chains the lists know (imported on first need: the lists package brings the database layer)."""
    from vaspguard.lists import CHAINS

    return CHAINS


def _counterparty(
    cp: Any, source: FactSource | None, notes: list[str]
) -> tuple[str | None, str | None, bool]:
    """(chain, address, listed): listed as the request says, else as the registry's lists say."""
    cpm = _mapping(cp, "counterparty", _COUNTERPARTY)
    chain = None
    if cpm.get("chain") is not None:
        chain, folded = fold_code(
            _text(cpm["chain"], "counterparty.chain"), _chains, field="counterparty.chain", what="chain"
        )
        if folded:
            notes.append(folded)
    address = None if cpm.get("address") is None else _text(cpm["address"], "counterparty.address")
    listed = _bool(cpm.get("listed", False), "counterparty.listed")
    if address is not None and source is not None and not listed:
        try:
            listed = source.address_listed(chain, address)
        except InvalidRequest as exc:
            raise _fail("counterparty.address", exc.reason) from None
    return chain, address, listed


def _flags(raw_flags: Any) -> frozenset[str]:
    for i, flag in enumerate(_list(raw_flags, "flags")):
        if not isinstance(flag, str) or flag not in _FLAGS:  # a list or object in the array is unhashable
            raise _fail(f"flags[{i}]", f"unknown flag {_shown(flag)}; one of {', '.join(sorted(_FLAGS))}")
    return frozenset(raw_flags)
