"""Quorum slot matching against a brute-force reference (every assignment of approvers to slots)."""

from __future__ import annotations

from itertools import permutations

from hypothesis import given
from hypothesis import strategies as st

from vaspguard.requests import OperatorRole
from vaspguard.requests._approvals import _match_slots
from vaspguard.requests._policy import QuorumSlot

ROLES = list(OperatorRole)
REGIONS = ["EU", "CIS", "APAC"]

slots_st = st.lists(
    st.builds(QuorumSlot, st.frozensets(st.sampled_from(ROLES), min_size=1, max_size=3), st.booleans()),
    min_size=1,
    max_size=3,
)
approvers_st = st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(REGIONS)), max_size=5).map(
    lambda xs: [(f"op{i}", role, region) for i, (role, region) in enumerate(xs)]
)


def _reference(slots: list[QuorumSlot], approvers: list[tuple[str, OperatorRole, str]], region: str) -> bool:
    for chosen in permutations(approvers, len(slots)):
        if all(
            a[1] in s.roles and (not s.other_region or a[2] != region)
            for s, a in zip(slots, chosen, strict=True)
        ):
            return True
    return False


@given(slots_st, approvers_st, st.sampled_from(REGIONS))
def test_matching_agrees_with_brute_force(
    slots: list[QuorumSlot], approvers: list[tuple[str, OperatorRole, str]], region: str
) -> None:
    found = _match_slots(slots, approvers, region)
    assert (found is not None) == _reference(slots, approvers, region)
    if found is not None:
        assert len(set(found)) == len(slots)  # distinct approvers, one per slot
        by_name = {a[0]: a for a in approvers}
        for slot, name in zip(slots, found, strict=True):
            assert by_name[name][1] in slot.roles
            assert not slot.other_region or by_name[name][2] != region
