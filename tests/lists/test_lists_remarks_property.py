"""Property: whatever way OFAC's 1,000-character cut falls, no fragment is ever emitted as a whole address.

Reference: remarks built from known items (addresses, DOBs, weak a.k.a.s), cut at an arbitrary position
like the legacy CSV does. Every address the parser returns unflagged must be one of the originals; an
address the cut went through must come back flagged or not at all.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vaspguard.lists._ofac_remarks import parse_remarks

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
HEX = "0123456789abcdef"

xbt = st.text(BASE58, min_size=33, max_size=33).map(lambda s: "1" + s)
eth = st.text(HEX, min_size=40, max_size=40).map(lambda s: "0x" + s)
address_item = st.one_of(
    xbt.map(lambda a: ("XBT", a)),
    eth.map(lambda a: ("ETH", a)),
)
other_item = st.sampled_from(
    [
        "DOB 1984",
        "POB Niger",
        "nationality Iran",
        "Gender Male",
        "a.k.a. 'SHADOW'",
        "Linked To: LAZARUS GROUP",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(st.one_of(address_item, other_item), min_size=1, max_size=30),
    cut_at=st.integers(min_value=1, max_value=2000),
)
def test_cut_never_yields_a_whole_looking_fragment(items: list[object], cut_at: int) -> None:
    parts = [
        f"alt. Digital Currency Address - {i[0]} {i[1]}" if isinstance(i, tuple) else str(i) for i in items
    ]
    full = "; ".join(parts) + "."
    originals = {i[1] for i in items if isinstance(i, tuple)}
    cut = full[:cut_at]
    was_cut = len(cut) < len(full)
    parsed = parse_remarks(cut, cut=was_cut)
    for c in parsed.crypto:
        if not c.possibly_truncated:
            assert c.address in originals
    if not was_cut:
        assert {c.address for c in parsed.crypto} == originals
        assert not any(c.possibly_truncated for c in parsed.crypto)


@given(st.text(max_size=300))
def test_any_text_parses(text: str) -> None:
    parse_remarks(text)
    parse_remarks(text, cut=True)
