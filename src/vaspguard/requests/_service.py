"""``LawfulRequests``: the registries, intake, assessment, approvals, narrowing, disclosure and notices.

The facade over the parts, each in its own module and each building on the one before:

- ``_core``: the store, the audit log (log before act), the policy in force, reading requests and operators;
- ``_registries``: policy versions, agencies, protected parties, operators;
- ``_filing``: intake and assessment;
- ``_approvals``: approvals, rejections, narrowing, preservation, and the quorum;
- ``_release``: disclosure as a signed package;
- ``_notices``: user notices and the gag-order ledger;
- ``_overview``: the request list, one request in full, the transparency report.

Invariants, each enforced in its part and tested with a refusing case:

- Log before act: every action (and every refused attempt) is appended to the audit log first; the database
  change follows only if the append succeeded.
- An approval is an Ed25519 signature by a registered operator over the exact scope (targets, categories,
  dates) and its version; it counts only while that scope is current. Narrowing voids earlier approvals.
- The intake operator never approves; nobody approves twice; a regional lead never counts for a request from
  their own region; a blocked request cannot be approved, narrowed into approval or disclosed.
- Disclosure re-checks the quorum from the signatures and from the audit receipts of the approvals, and
  refuses unless both prove it.
"""

from __future__ import annotations

from vaspguard.requests._approvals import ApprovalOutcome, QuorumStatus
from vaspguard.requests._overview import Overview
from vaspguard.requests._registries import AgencyAdded

__all__ = ["AgencyAdded", "ApprovalOutcome", "LawfulRequests", "QuorumStatus"]


class LawfulRequests(Overview):
    """Lawful government data requests on a ``Store``, logged to the audit log."""
