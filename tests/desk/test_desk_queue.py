"""The alert queue's filters (screening's ``AlertFilter``) and the policy state the desk shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from desk_helpers import Demo

from vaspguard import policy, screening
from vaspguard.errors import InvalidRequest
from vaspguard.store import utcnow


def _all(demo: Demo, where: screening.AlertFilter) -> list[screening.Alert]:
    return screening.alert_page(demo.store, where, limit=10_000)


def test_filters_select_what_they_name(demo: Demo) -> None:
    every = _all(demo, screening.AlertFilter())
    assert {a.kind for a in every} == {"name", "address"}
    names = _all(demo, screening.AlertFilter(kind="name"))
    assert names and all(a.kind == "name" for a in names)
    ofac = _all(demo, screening.AlertFilter(source="ofac_sdn"))
    assert ofac and all(a.entity_key.startswith("ofac_sdn:") for a in ofac)
    assert len(ofac) < len(every)
    high = _all(demo, screening.AlertFilter(min_score=0.95))
    low = _all(demo, screening.AlertFilter(max_score=0.95))
    assert len(high) + len(low) == len(every) and all(a.score >= 0.95 for a in high)
    assert _all(demo, screening.AlertFilter(created_before=utcnow() - timedelta(days=1))) == []
    assert screening.count_matching(demo.store, screening.AlertFilter(kind="name")) == len(names)
    assert [a.score for a in every] == sorted((a.score for a in every), reverse=True)


@pytest.mark.parametrize(
    "where", [screening.AlertFilter(status="closed"), screening.AlertFilter(kind="face")]
)
def test_an_unknown_status_or_kind_is_refused(demo: Demo, where: screening.AlertFilter) -> None:
    with pytest.raises(InvalidRequest):
        screening.alert_page(demo.store, where)


def test_an_unevaluated_customer_is_unrestricted(demo: Demo) -> None:
    assert policy.customer_state(demo.store, "C0000022")["state"] == "unrestricted"
    assert policy.notices(demo.store, customer="C0000022") == []
