"""``vaspguard requests``, ``authorities``, ``protected`` and ``operators``: lawful requests."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from vaspguard.cli._common import acting_as, open_db, print_json
from vaspguard.errors import InvalidRequest

if TYPE_CHECKING:
    from vaspguard.requests import LawfulRequests

app = typer.Typer(
    help="Lawful requests: intake, assessment, approval, disclosure, notices.", no_args_is_help=True
)
authorities_app = typer.Typer(
    help="Requesting authorities: agencies, verification, keys.", no_args_is_help=True
)
protected_app = typer.Typer(
    help="Protected parties: opposition, NGOs, journalists, donors.", no_args_is_help=True
)
operators_app = typer.Typer(
    help="Operators who approve requests, with roles, regions and keys.", no_args_is_help=True
)
policy_app = typer.Typer(
    help="The assessment policy (versioned policy-as-code): show, history, install.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")

_ACTOR_HELP = "Who does this (an operator or staff id; default: $VASPGUARD_ACTOR, else cli:<system user>)."


def _service() -> LawfulRequests:
    from vaspguard.requests import LawfulRequests

    return LawfulRequests(open_db())


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(option, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


# -- authorities ---------------------------------------------------------------------------------------------


@authorities_app.command("add")
def authorities_add(
    file: Path = typer.Option(
        ..., "--file", help="AGENCY.json: id, name, country, class, parent, linked, ..."
    ),
    actor: str | None = typer.Option(None, "--as", help=_ACTOR_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the stored agency as JSON."),
) -> None:
    """Add (or update) a requesting agency. Parent and linked bodies must be registered first."""
    from vaspguard.requests import load_json, parse_agency

    agency = parse_agency(load_json(file), origin=str(file))
    added = _service().add_agency(agency, actor=acting_as(actor))
    if as_json:
        print_json(
            {
                "agency": agency,
                "new": added.new,
                "sanctions_hits": added.sanctions_hits,
                "sanctions_screening": added.sanctions_screening,
            }
        )
        return
    _out(
        f"{'added' if added.new else 'updated'} agency {agency.id}: {agency.name} "
        f"({agency.country}, {agency.agency_class}); sanctions screening: {added.sanctions_screening}"
    )
    for hit in added.sanctions_hits:
        _out(f"  SANCTIONED: {hit.name!r} matches {hit.listed_name!r} ({hit.entity_key}, {hit.score:.2f})")


@authorities_app.command("list")
def authorities_list(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """List registered agencies with class, country and verification status."""
    agencies = _service().list_agencies()
    if as_json:
        print_json(agencies)
        return
    for a in agencies:
        links = ", ".join(
            filter(None, [a.parent_id and f"parent {a.parent_id}", *(f"linked {x}" for x in a.linked_ids)])
        )
        _out(
            f"{a.id}\t{a.country}\t{a.agency_class}\t{a.verification_status}\t{a.name}"
            + (f"\t({links})" if links else "")
        )


# -- protected parties ---------------------------------------------------------------------------------------


@protected_app.command("add")
def protected_add(
    file: Path = typer.Option(
        ..., "--file", help="PARTY.json: id, name, kind, country, aliases, identifiers, addresses."
    ),
    actor: str | None = typer.Option(None, "--as", help=_ACTOR_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the stored party as JSON."),
) -> None:
    """Add (or update) a protected party: a political party, opposition figure, NGO, journalist, ..."""
    from vaspguard.requests import load_json, parse_party

    party = parse_party(load_json(file), origin=str(file))
    new = _service().add_party(party, actor=acting_as(actor))
    if as_json:
        print_json(party)
    else:
        _out(
            f"{'added' if new else 'updated'} protected party {party.id}: {party.name} "
            f"({party.kind}, {len(party.addresses)} addresses)"
        )


@protected_app.command("list")
def protected_list(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """List protected parties."""
    parties = _service().list_parties()
    if as_json:
        print_json(parties)
        return
    for p in parties:
        _out(f"{p.id}\t{p.kind}\t{p.country or '-'}\t{p.name}\t{len(p.addresses)} addresses")


# -- operators -----------------------------------------------------------------------------------------------


@operators_app.command("keygen")
def operators_keygen(
    out: Path = typer.Option(
        ..., "--out", help="Where to write the private key (PEM, mode 0600); KEYFILE.pub gets the public key."
    ),
) -> None:
    """Generate an operator's Ed25519 key pair. The private key never leaves the operator's machine."""
    from vaspguard.requests import generate_key, public_hex, write_private_key

    if out.exists():
        raise InvalidRequest("--out", f"{out} exists; refusing to overwrite a key")
    key = generate_key()
    write_private_key(key, out)
    pub = out.with_name(out.name + ".pub")
    pub.write_text(public_hex(key) + "\n")
    _out(f"private key: {out}\npublic key:  {pub} ({public_hex(key)})")


@operators_app.command("add")
def operators_add(
    name: str = typer.Option(..., "--name", help="Operator id (a staff id, not a person's name)."),
    role: str = typer.Option(
        ..., "--role", help="intake, legal, privacy, security, regional_lead or executive."
    ),
    region: str = typer.Option(
        ..., "--region", help="The operator's region, as in the policy (EU, CIS, APAC, ...)."
    ),
    public_key: Path = typer.Option(
        ..., "--public-key", help="The operator's public key file (from keygen)."
    ),
    actor: str | None = typer.Option(None, "--as", help=_ACTOR_HELP),
) -> None:
    """Register an operator who may file, approve, reject or narrow requests."""
    from vaspguard.requests import Operator, OperatorRole, read_public_key

    try:
        op_role = OperatorRole(role)
    except ValueError:
        raise InvalidRequest("--role", f"unknown role {role!r}; one of {', '.join(OperatorRole)}") from None
    if not region.strip():
        raise InvalidRequest("--region", "is required")
    op = Operator(name.strip(), op_role, region.strip(), read_public_key(public_key))
    _service().add_operator(op, actor=acting_as(actor))
    _out(f"added operator {op.name} ({op.role}, {op.region})")


@operators_app.command("deactivate")
def operators_deactivate(
    name: str = typer.Argument(..., help="The operator to take out of service."),
    reason: str = typer.Option(..., "--reason", help="Why (left the company, key compromised, ...)."),
    compromised: bool = typer.Option(
        False,
        "--compromised",
        help="The key may have signed what its holder did not: their approvals of requests not yet disclosed "
        "stop counting.",
    ),
    actor: str | None = typer.Option(None, "--as", help=_ACTOR_HELP),
) -> None:
    """Deactivate an operator: they can file, approve, reject or narrow nothing more (logged)."""
    _service().deactivate_operator(name, actor=acting_as(actor), reason=reason, compromised=compromised)
    _out(
        f"operator {name} deactivated"
        + (" (key compromised: standing approvals voided)" if compromised else "")
    )


@operators_app.command("link")
def operators_link(
    name: str = typer.Argument(..., help="The operator."),
    desk_user: str | None = typer.Option(
        None, "--desk-user", help="The desk user (vaspguard users list) who approves as this operator."
    ),
    unlink: bool = typer.Option(False, "--unlink", help="Remove the operator's desk user instead."),
    actor: str | None = typer.Option(None, "--as", help=_ACTOR_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Link an operator to a desk user, who then signs the operator's decisions in the desk with their
    passkey (each a WebAuthn assertion over the same message the operator's key would sign). Logged."""
    from vaspguard.desk import list_users

    if unlink == (desk_user is not None):
        raise InvalidRequest("--desk-user", "give a desk user, or --unlink")
    if desk_user is not None and not any(u.name == desk_user and u.active for u in list_users(open_db())):
        raise InvalidRequest("--desk-user", f"no active desk user named {desk_user!r} (vaspguard users list)")
    _service().link_desk_user(name, desk_user, actor=acting_as(actor))
    if as_json:
        print_json({"operator": name, "desk_user": desk_user})
        return
    _out(
        f"operator {name} is now signed for by desk user {desk_user}"
        if desk_user
        else f"operator {name} unlinked"
    )


@operators_app.command("list")
def operators_list(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """List operators with role, region and public key."""
    ops = _service().list_operators()
    if as_json:
        print_json(ops)
        return
    for o in ops:
        _out(f"{o.name}\t{o.role}\t{o.region}\t{o.public_key}" + ("" if o.active else "\tinactive"))


# -- requests ------------------------------------------------------------------------------------------------


def _print_assessment(result: object, as_json: bool) -> None:
    from vaspguard.requests import Assessment

    assert isinstance(result, Assessment)
    if as_json:
        print_json(result.to_dict())
        return
    _out(f"{result.request_id}: tier {result.tier}  policy {result.policy_version[:19]}...")
    for r in result.reasons:
        _out(f"  {r.code} [{r.tier}]: {r.detail}")
    reach = result.reach
    _out(f"  reach: {reach.get('customers', 0)} customers, {reach.get('accounts', 0)} accounts")
    _out("  required approvals: " + (", ".join(result.required_approvals) or "none possible (blocked)"))
    screening = str(result.checks.get("sanctions_screening", ""))
    if screening.startswith("unavailable"):
        _out(f"  WARNING: the requester was not screened against sanctions lists ({screening})")


@app.command("new")
def requests_new(
    file: Path = typer.Option(
        ..., "--file", help="REQUEST.json as received (see the README for the fields)."
    ),
    operator: str = typer.Option(
        ..., "--as", help="The registered operator filing it (they can never approve it)."
    ),
    key: Path = typer.Option(
        ..., "--key", help="The filing operator's private key (signs the request as filed)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the assessment as JSON."),
) -> None:
    """File a request: validate every field, assess it under the policy in force, log both."""
    from vaspguard.requests import load_json, parse_request, read_private_key

    request = parse_request(load_json(file), origin=str(file))
    _print_assessment(_service().file(request, intake=operator, key=read_private_key(key)), as_json)


@app.command("assess")
def requests_assess(
    request_id: str = typer.Argument(..., help="Request id (LR-YYYY-NNNNNN)."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Show the current assessment of a request."""
    _print_assessment(_service().assessment(request_id), as_json)


@app.command("approve")
def requests_approve(
    request_id: str = typer.Argument(..., help="Request id."),
    operator: str = typer.Option(..., "--as", help="The approving operator."),
    key: Path = typer.Option(..., "--key", help="The operator's private key file."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Sign an approval over the exact current scope; refused if any quorum rule forbids it."""
    from vaspguard.requests import read_private_key

    outcome = _service().approve(request_id, operator=operator, key=read_private_key(key))
    if as_json:
        print_json(outcome)
        return
    q = outcome.quorum
    _out(f"{request_id}: approved by {operator} (audit index {outcome.audit_index}); state {outcome.state}")
    _out(
        "  quorum "
        + ("reached: " + ", ".join(q.counted) if q.met else "not yet; missing " + ", ".join(q.missing))
    )


@app.command("reject")
def requests_reject(
    request_id: str = typer.Argument(..., help="Request id."),
    operator: str = typer.Option(..., "--as", help="The rejecting operator."),
    key: Path = typer.Option(..., "--key", help="The operator's private key file."),
    reason: str = typer.Option(..., "--reason", help="Why (recorded and signed)."),
    return_to_process: bool = typer.Option(
        False, "--return-to-process", help="Ask the requester to come back through lawful process."
    ),
) -> None:
    """Reject a request (signed, logged)."""
    from vaspguard.requests import read_private_key

    _service().reject(
        request_id,
        operator=operator,
        key=read_private_key(key),
        reason=reason,
        return_to_process=return_to_process,
    )
    _out(f"{request_id}: rejected by {operator}")


@app.command("narrow")
def requests_narrow(
    request_id: str = typer.Argument(..., help="Request id."),
    operator: str = typer.Option(..., "--as", help="The narrowing operator."),
    key: Path = typer.Option(..., "--key", help="The operator's private key file."),
    keep_target: list[str] | None = typer.Option(
        None, "--keep-target", help="A target value to keep (repeat); others are dropped."
    ),
    category: list[str] | None = typer.Option(
        None, "--category", help="A data category to keep (repeat); others are dropped."
    ),
    start: str | None = typer.Option(None, "--from", help="New first day (YYYY-MM-DD), within the range."),
    end: str | None = typer.Option(None, "--to", help="New last day (YYYY-MM-DD), within the range."),
    as_json: bool = typer.Option(False, "--json", help="Print the new assessment as JSON."),
) -> None:
    """Narrow the scope. Every earlier approval is voided; the narrowed scope is re-assessed."""
    from vaspguard.requests import DataCategory, read_private_key

    cats = None
    if category:
        try:
            cats = [DataCategory(c) for c in category]
        except ValueError as exc:
            raise InvalidRequest("--category", f"{exc}; one of {', '.join(DataCategory)}") from None
    result = _service().narrow(
        request_id,
        operator=operator,
        key=read_private_key(key),
        keep_targets=keep_target or None,
        categories=cats,
        start=_day(start, "--from"),
        end=_day(end, "--to"),
    )
    _print_assessment(result, as_json)


@app.command("disclose")
def requests_disclose(
    request_id: str = typer.Argument(..., help="Request id."),
    output: Path = typer.Option(
        ..., "--output", help="Directory for the package (must not exist or be empty)."
    ),
    actor: str | None = typer.Option(None, "--as", help=_ACTOR_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Assemble and sign the approved scope; refused without audit receipts proving the quorum."""
    result = _service().disclose(request_id, output, actor=acting_as(actor))
    if as_json:
        print_json(result)
        return
    counts = ", ".join(f"{k} {v}" for k, v in result["record_counts"].items())
    _out(f"{request_id}: disclosed to {result['output']}: {counts}; Merkle root {result['merkle_root']}")
    _out(f"  {result['notices']} customer notice(s) recorded; audit index {result['audit_index']}")
    if result["sealed_to"]:
        _out(f"  sealed (package.tar.age) to the agency's age key(s): {', '.join(result['sealed_to'])}")


@app.command("verify-package")
def requests_verify_package(
    path: Path = typer.Argument(..., help="A disclosure package directory."),
    public_key: Path | None = typer.Option(
        None, "--public-key", help="The exchange's disclosure public key to pin."
    ),
    identity: Path | None = typer.Option(
        None, "--identity", help="The agency's age identity file, to open a sealed package (package.tar.age)."
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Verify a package: manifest signature, every record's leaf hash, Merkle root, CSV and JSON files. A
    package sealed to the agency's age key is opened with --identity first."""
    from vaspguard.requests import read_public_key, verify_package

    pinned = read_public_key(public_key) if public_key else None
    result = verify_package(path, public_key=pinned, identity=identity)
    if as_json:
        print_json(result)
        return
    _out(f"OK {result['request_id']}: {result['records']} records, Merkle root {result['merkle_root']}")
    if not result["key_pinned"]:
        _out(
            f"  signed by {result['exchange_public_key']}: "
            "compare with the exchange's published key (--public-key)"
        )


@app.command("verify-approvals")
def requests_verify_approvals(
    bundle: Path = typer.Argument(
        ..., help="An audit bundle directory (vaspguard audit export --with-payloads)."
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Verify offline every approval an audit bundle holds, from the public key logged with it: an operator's
    Ed25519 signature or a passkey's WebAuthn assertion. Run vaspguard audit verify on the bundle too: it
    checks that each payload is the one the log committed to."""
    from vaspguard.requests import verify_logged_approvals

    result = verify_logged_approvals(bundle)
    if as_json:
        print_json(result)
        return
    kinds = ", ".join(f"{n} {method}" for method, n in sorted(result["by_method"].items())) or "none"
    _out(f"OK {result['approvals']} approvals verify ({kinds})")


@app.command("show")
def requests_show(
    request_id: str = typer.Argument(..., help="Request id."),
    as_json: bool = typer.Option(
        False, "--json", help="JSON output: state, assessment, approvals, timeline."
    ),
) -> None:
    """Everything about one request: state, assessment, scope, approvals, quorum, timeline, notices."""
    data = _service().show(request_id)
    if as_json:
        print_json(data)
        return
    a = data["assessment"]
    _out(f"{data['id']}  state {data['state']}  tier {data['tier']}  received {data['received_at']}")
    _out(
        f"  agency {data['request']['agency_name']} ({data['request']['agency_country']}); "
        f"filed by {data['intake_operator']}"
    )
    for r in a["reasons"]:
        _out(f"  {r['code']}: {r['detail']}")
    q = data["quorum"]
    if data["tier"] == "blocked":
        _out("  quorum: none possible (blocked)")
    else:
        _out(
            "  quorum: "
            + ("met by " + ", ".join(q["counted"]) if q["met"] else "missing " + ", ".join(q["missing"]))
        )
    for e in data["timeline"]:
        _out(f"  {e['at']}  {e['kind']:<20} {e['actor']:<16} audit #{e['audit_index']}")


@app.command("list")
def requests_list(
    attention: bool = typer.Option(False, "--attention", help="Only what central legal must look at now."),
    on: str | None = typer.Option(None, "--on", help="Evaluate as of this day (YYYY-MM-DD); default today."),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """List requests, or with --attention those needing a decision, follow-up, notice or review."""
    rows = _service().list(attention_only=attention, on=_day(on, "--on"))
    if as_json:
        print_json(rows)
        return
    for r in rows:
        _out(f"{r['id']}\t{r['state']}\t{r['tier']}\t{r['country']}\t{r['instrument']}\t{r['agency']}")
        for item in r["attention"]:
            _out(f"    ! {item}")


@app.command("report")
def requests_report(
    start: str = typer.Option(..., "--from", help="First day of the period (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--to", help="Last day of the period (YYYY-MM-DD)."),
    as_json: bool = typer.Option(False, "--json", help="The whole report as JSON (the structured export)."),
    html: Path | None = typer.Option(
        None,
        "--html",
        help="Write the static public page into this directory (index.html, transparency.css, report.json, "
        "report.csv): counts only, no personal data, publishable as it is.",
    ),
    band: int | None = typer.Option(
        None,
        "--band",
        help="Report security-service and intelligence requests apart, only in ranges of this size (250: "
        "0-249), where the law forbids exact numbers. Default: every figure exact.",
    ),
    publisher: str | None = typer.Option(
        None, "--publisher", help="The exchange's name, for the page's title."
    ),
) -> None:
    """Transparency report (RDR P11a): exact counts by country, agency class, instrument, quarter and outcome
    for a period, with how each figure is counted."""
    from vaspguard.requests import check_period, write_public_page

    first, last = _day(start, "--from"), _day(end, "--to")
    assert first is not None and last is not None
    check_period(first, last, fields=("--from", "--to"))
    if band is not None and band < 1:
        raise InvalidRequest("--band", f"a band is a whole number of 1 or more, not {band}")
    data = _service().report(first, last, band=band)
    if html is not None:
        if html.exists() and not html.is_dir():
            raise InvalidRequest("--html", f"{html} exists and is not a directory")
        written = write_public_page(data, html, publisher=publisher)
        sys.stderr.write(f"public page written: {', '.join(str(p) for p in written)}\n")
    if as_json:
        print_json(data)
        return
    _out(
        f"{data['requests']} requests {first}..{last} ({data['preservation_requests']} preservation, counted "
        f"apart); {data['customers_affected']} customers affected; {data['narrowed']} narrowed"
    )
    _out("  outcomes: " + ", ".join(f"{k} {v}" for k, v in data["outcomes"].items()))
    for dim in ("by_country", "by_agency_class", "by_instrument"):
        for key, b in data[dim].items():
            _out(
                f"  {dim[3:]:<13} {key:<30} received {b['received']:>5}  disclosed {b['disclosed']:>5}  "
                f"accounts {b['accounts_affected']:>6}"
            )
    if data["national_security"]:
        ns = data["national_security"]
        _out(f"  national security (bands of {ns['band']}): {ns['requests']} requests")


@app.command("notices")
def requests_notices(
    due: bool = typer.Option(False, "--due", help="Only notices due now (no order holds them any more)."),
    on: str | None = typer.Option(None, "--on", help="As of this day (YYYY-MM-DD); default today."),
    outbox: Path | None = typer.Option(
        None, "--send-to", help="Write due notices to this outbox and mark them sent."
    ),
    actor: str | None = typer.Option(None, "--as", help=_ACTOR_HELP),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """Customer notices: held while a non-disclosure order runs, due when it ends (by itself)."""
    svc = _service()
    day = _day(on, "--on")
    if outbox is not None:
        paths = svc.send_notices(outbox, actor=acting_as(actor), on=day)
        _out(f"{len(paths)} notice(s) written to {outbox}")
        return
    rows = svc.notices(due_only=due, on=day)
    if as_json:
        print_json(rows)
        return
    for n in rows:
        _out(
            f"{n['id']}\t{n['request_id']}\t{n['customer_id']}\t{n['status']}\t"
            f"due {n['due_on'] or 'never (order without end)'}"
        )


@app.command("gag")
def requests_gag(
    request_id: str = typer.Argument(..., help="Request id."),
    until: str = typer.Option(..., "--until", help="Last day of non-disclosure (YYYY-MM-DD)."),
    basis: str = typer.Option(..., "--basis", help="The order that imposes or extends it."),
    operator: str = typer.Option(..., "--as", help="A legal or executive operator."),
    key: Path = typer.Option(..., "--key", help="The operator's private key file."),
) -> None:
    """Record an order that extends non-disclosure: held notices move to the new end date."""
    from vaspguard.requests import read_private_key

    day = _day(until, "--until")
    assert day is not None
    n = _service().extend_gag(
        request_id, operator=operator, key=read_private_key(key), until=day, basis=basis
    )
    _out(f"{request_id}: non-disclosure until {day}; {n} notice(s) held")


@app.command("extend")
def requests_extend(
    request_id: str = typer.Argument(..., help="A preservation request in force."),
    operator: str = typer.Option(..., "--as", help="The extending operator."),
    key: Path = typer.Option(..., "--key", help="The operator's private key file."),
) -> None:
    """Extend a preservation once (by the policy's period)."""
    from vaspguard.requests import read_private_key

    until = _service().extend_preservation(request_id, operator=operator, key=read_private_key(key))
    _out(f"{request_id}: preserved until {until}")


# -- policy --------------------------------------------------------------------------------------------------


@policy_app.command("show")
def policy_show(text: bool = typer.Option(False, "--text", help="Print the whole policy text.")) -> None:
    """The policy in force and its version (SHA-256 of its exact text)."""
    p = _service().policy()
    _out(p.text if text else f"{p.version}  {p.data.get('name', '')}")


@policy_app.command("history")
def policy_history(as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """Every policy version installed, by whom, and every safeguard each one weakened."""
    rows = _service().policy_history()
    if as_json:
        print_json(rows)
        return
    for r in rows:
        _out(f"{r['version']}  {r['installed_by']}")
        for w in r["weakenings"]:
            _out(f"    WEAKENED: {w}")


@policy_app.command("install")
def policy_install(
    file: Path = typer.Argument(..., help="The new policy YAML."),
    operator: str = typer.Option(..., "--as", help="A legal or executive operator."),
    key: Path = typer.Option(..., "--key", help="The operator's private key file."),
    accept_weakening: bool = typer.Option(
        False, "--accept-weakening", help="Install even though it weakens safeguards."
    ),
    reason: str | None = typer.Option(
        None, "--reason", help="Why a weakening is accepted (required with it)."
    ),
) -> None:
    """Install a new policy version (signed, logged). Weakenings are refused unless accepted with a reason;
    floors (e.g. sanctioned requesters always blocked) are refused always."""
    from vaspguard.errors import InvalidFile
    from vaspguard.requests import read_private_key

    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidFile(file, f"cannot read: {exc.strerror}") from None
    policy, weaker = _service().install_policy(
        text,
        operator=operator,
        key=read_private_key(key),
        accept_weakening=accept_weakening,
        reason=reason,
        origin=str(file),
    )
    _out(f"installed policy {policy.version}")
    for w in weaker:
        _out(f"    WEAKENED: {w}")
