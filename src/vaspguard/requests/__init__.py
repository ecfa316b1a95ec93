"""Lawful government data requests: verified requesters, human-rights and dragnet screening, k-of-n signed
approval, scoped signed disclosure, user notice and the gag-order ledger.

Everything goes through ``LawfulRequests(store)``; the assessment policy is ``policy.yaml`` in this package
(versioned policy-as-code: ``default_policy().version`` is recorded on every assessment).
"""

from vaspguard.requests._approvals import Narrowing
from vaspguard.requests._assess import AssessmentContext, assess
from vaspguard.requests._crypto import (
    APPROVAL_DOMAIN,
    generate_key,
    public_hex,
    read_private_key,
    read_public_key,
    write_private_key,
)
from vaspguard.requests._disclose import verify_logged_approvals, verify_package
from vaspguard.requests._documents import scope_from_doc
from vaspguard.requests._intake import load_json, parse_agency, parse_party, parse_request
from vaspguard.requests._model import (
    Agency,
    AgencyClass,
    Assessment,
    Channel,
    DataCategory,
    DateRange,
    InstrumentType,
    LawfulRequest,
    Operator,
    OperatorRole,
    PartyKind,
    ProtectedParty,
    Reason,
    ReasonCode,
    RequestState,
    Scope,
    Target,
    TargetType,
    Tier,
    VerificationStatus,
)
from vaspguard.requests._passkey import WEBAUTHN, Signed, assertion_problem, challenge_for
from vaspguard.requests._policy import Policy, default_policy, floor_violations, parse_policy, weakenings
from vaspguard.requests._publish import figures, report_body, report_csv, report_json, write_public_page
from vaspguard.requests._reach import (
    NameProbe,
    Reach,
    address_variants,
    compute_reach,
    day_bounds,
    name_probe,
    target_label,
)
from vaspguard.requests._reports import COUNTING, OUTCOMES, band_range, check_period
from vaspguard.requests._service import ApprovalOutcome, LawfulRequests, QuorumStatus

__all__ = [
    "APPROVAL_DOMAIN",
    "COUNTING",
    "OUTCOMES",
    "WEBAUTHN",
    "Agency",
    "AgencyClass",
    "ApprovalOutcome",
    "Assessment",
    "AssessmentContext",
    "Channel",
    "DataCategory",
    "DateRange",
    "InstrumentType",
    "LawfulRequest",
    "LawfulRequests",
    "NameProbe",
    "Narrowing",
    "Operator",
    "OperatorRole",
    "PartyKind",
    "Policy",
    "ProtectedParty",
    "QuorumStatus",
    "Reach",
    "Reason",
    "ReasonCode",
    "RequestState",
    "Scope",
    "Signed",
    "Target",
    "TargetType",
    "Tier",
    "VerificationStatus",
    "address_variants",
    "assertion_problem",
    "assess",
    "band_range",
    "challenge_for",
    "check_period",
    "compute_reach",
    "day_bounds",
    "default_policy",
    "figures",
    "floor_violations",
    "generate_key",
    "load_json",
    "name_probe",
    "parse_agency",
    "parse_party",
    "parse_policy",
    "parse_request",
    "public_hex",
    "read_private_key",
    "read_public_key",
    "report_body",
    "report_csv",
    "report_json",
    "scope_from_doc",
    "target_label",
    "verify_logged_approvals",
    "verify_package",
    "weakenings",
    "write_private_key",
    "write_public_page",
]
