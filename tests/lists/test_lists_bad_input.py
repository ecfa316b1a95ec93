"""Bad input is refused with one clear reason naming the file (and row/field where there is one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaspguard.errors import InvalidFile, InvalidRow
from vaspguard.lists import read_path

UN = "lists/un_consolidated_xml/watchman_2026-02-27/consolidated.xml"
SDN_2021 = "lists/ofac_sdn_csv/watchman_bench_2021-07/sdn.csv"

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS><INDIVIDUAL>
<DATAID>1</DATAID><FIRST_NAME>&lol9;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&xxe;</FIRST_NAME>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""


def test_xml_bomb_refused_at_the_declaration(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(BILLION_LAUGHS)
    # Refused at the first <!ENTITY> declaration, before any reference is expanded (10^9 "lol"s would
    # take minutes and gigabytes; no timing is asserted, the reason says where it stopped).
    with pytest.raises(
        InvalidFile, match=r"XML declares entities \(possible XML bomb\): refused, nothing expanded"
    ):
        read_path(bomb)


def test_external_entity_refused(tmp_path: Path) -> None:
    xxe = tmp_path / "xxe.xml"
    xxe.write_text(EXTERNAL_ENTITY)
    with pytest.raises(InvalidFile, match=r"bomb|external"):
        read_path(xxe)


def _with_doctype(shared_data: Path, tmp_path: Path, doctype: bytes) -> Path:
    """The genuine UN file with ``doctype`` inserted after its XML declaration (in a temp dir only)."""
    data = (shared_data / UN).read_bytes()
    end = data.index(b"?>") + 2
    path = tmp_path / "consolidated.xml"
    path.write_bytes(data[:end] + b"\n" + doctype + data[end:])
    return path


@pytest.mark.parametrize(
    ("doctype", "ids"),
    [
        (b'<!DOCTYPE CONSOLIDATED_LIST SYSTEM "file:///etc/passwd">', "SYSTEM 'file:///etc/passwd'"),
        (
            b'<!DOCTYPE CONSOLIDATED_LIST PUBLIC "-//X//DTD L//EN" "http://evil.example/l.dtd">',
            "PUBLIC '-//X//DTD L//EN' SYSTEM 'http://evil.example/l.dtd'",
        ),
        # An internal subset does not hide the identifier.
        (b'<!DOCTYPE CONSOLIDATED_LIST SYSTEM "l.dtd" [<!ELEMENT x ANY>]>', "SYSTEM 'l.dtd'"),
    ],
)
def test_doctype_with_external_identifier_refused(
    shared_data: Path, tmp_path: Path, doctype: bytes, ids: str
) -> None:
    path = _with_doctype(shared_data, tmp_path, doctype)
    with pytest.raises(InvalidFile) as err:
        read_path(path)
    assert str(err.value) == (
        f"{path}: XML DOCTYPE 'CONSOLIDATED_LIST' names an external DTD ({ids}): refused, nothing read"
    )


def test_doctype_without_identifier_still_read(shared_data: Path, tmp_path: Path) -> None:
    # The refusal is of the external identifier, not of every DOCTYPE: the same file still reads.
    path = _with_doctype(shared_data, tmp_path, b"<!DOCTYPE CONSOLIDATED_LIST>")
    assert len(read_path(path).entities) == 1003


def test_truncated_xml_names_line(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / UN).read_bytes()
    cut = tmp_path / "consolidated.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidFile) as err:
        read_path(cut)
    assert str(err.value).startswith(str(cut))
    assert "malformed XML at line" in str(err.value)


def test_truncated_csv_mid_record(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / SDN_2021).read_bytes()
    cut = tmp_path / "sdn.csv"
    # Cut inside a record: the last line has fewer than 12 fields.
    end = data.index(b"\n", len(data) // 2) + 30
    cut.write_bytes(data[:end])
    with pytest.raises(InvalidRow) as err:
        read_path(cut, companions=False)
    assert err.value.row > 1000
    assert "fields where this file has 12" in err.value.reason or "malformed CSV" in err.value.reason


def test_csv_with_unterminated_quote(tmp_path: Path) -> None:
    bad = tmp_path / "sdn.csv"
    bad.write_bytes(
        b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\r\n'
    )
    with pytest.raises(InvalidRow, match=r"malformed CSV|fields"):
        read_path(bad)


def test_bad_entity_number(tmp_path: Path) -> None:
    good_first = tmp_path / "sdn2.csv"
    good_first.write_bytes(
        b'36,"A",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        b'37,"B",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        b'3x,"C",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    )
    with pytest.raises(InvalidRow) as err:
        read_path(good_first)
    assert (err.value.row, err.value.field) == (3, "ent_num")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a sanctions list format"),
        (b"<html><body>Service unavailable</body></html>", "XML root <html>"),
        (b'{"hello": "world"}\n', "neither FollowTheMoney"),
        (b"PK\x03\x04not really a zip", "broken zip"),
        (b"name,dob\nJohn,1970\n", "not a sanctions list format"),
    ],
)
def test_wrong_format_refused(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "list.xml"
    path.write_bytes(content)
    with pytest.raises(InvalidFile, match=reason):
        read_path(path)


def test_unknown_format_name(shared_data: Path) -> None:
    with pytest.raises(InvalidFile, match="unknown format 'pdf'"):
        read_path(shared_data / UN, "pdf")


def test_list_with_no_records_refused(tmp_path: Path) -> None:
    empty = tmp_path / "un.xml"
    empty.write_text(
        '<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z"><INDIVIDUALS/></CONSOLIDATED_LIST>'
    )
    with pytest.raises(InvalidFile, match="no records"):
        read_path(empty)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidFile, match="cannot read"):
        read_path(tmp_path / "nope.xml")


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _zeros_zip(path: Path, name: str, size: int) -> Path:
    """A zip whose one member is ``size`` zero bytes, written in a stream (small on disk and in memory)."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf, zf.open(name, "w") as member:
        block = b"\0" * 1024**2
        for _ in range(size // len(block)):
            member.write(block)
    return path


def _refused_after(err: pytest.ExceptionInfo[InvalidFile]) -> int:
    return int(str(err.value).rsplit("refused after ", 1)[1])


def test_zip_bomb_refused_by_ratio_while_inflating(tmp_path: Path) -> None:
    # 256 MiB of zeros deflate to about 250 KB (ratio ~1000): under the 512 MiB cap, over the ratio 200.
    bomb = _zeros_zip(tmp_path / "CONS_ENHANCED.ZIP", "CONS_ENHANCED.XML", 256 * 1024**2)
    assert bomb.stat().st_size < 1024**2
    with pytest.raises(InvalidFile, match=r"inflates more than 200 times .* \(possible zip bomb\)") as err:
        read_path(bomb)
    # Refused within the first MiBs, not after inflating the member and checking it.
    assert _refused_after(err) <= 2 * 1024**2


def test_zip_member_over_the_size_cap_refused_while_inflating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    # The ratio cap lifted, the size cap lowered to 4 MiB; the member's headers lie (1 KiB), so only
    # counting the bytes actually inflated can catch it.
    monkeypatch.setenv("VASPGUARD_LISTS_ZIP_MAX_RATIO", "100000")
    monkeypatch.setenv("VASPGUARD_LISTS_ZIP_MAX_MEMBER", str(4 * 1024**2))
    bomb = _zeros_zip(tmp_path / "SDN_ENHANCED.ZIP", "SDN_ENHANCED.XML", 32 * 1024**2)
    data = bytearray(bomb.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local and central headers
        at = data.index(signature)
        data[at + offset : at + offset + 4] = (1024).to_bytes(4, "little")
    bomb.write_bytes(bytes(data))
    assert zipfile.ZipFile(bomb).infolist()[0].file_size == 1024
    with pytest.raises(InvalidFile, match=r"inflates past 4194304 bytes") as err:
        read_path(bomb)
    assert _refused_after(err) <= 5 * 1024**2


def test_stored_zip_member_over_the_size_cap_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    # Not compressed (stored), its header lying about its size: counted all the same.
    monkeypatch.setenv("VASPGUARD_LISTS_ZIP_MAX_MEMBER", str(1024**2))
    path = tmp_path / "sdn.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("sdn.xml", b"<sdnList/>" + b" " * (2 * 1024**2))
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature)
        data[at + offset : at + offset + 4] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidFile, match=r"zip member 'sdn\.xml' inflates past 1048576 bytes"):
        read_path(path)


def test_zip_member_declaring_over_the_cap_refused_before_inflating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VASPGUARD_LISTS_ZIP_MAX_MEMBER", str(1024**2))
    bomb = _zeros_zip(tmp_path / "CONS_ENHANCED.ZIP", "CONS_ENHANCED.XML", 8 * 1024**2)
    with pytest.raises(InvalidFile, match=r"declares 8388608 bytes, over the 1048576: refused$"):
        read_path(bomb)


def test_zipped_list_within_the_caps_is_read(shared_data: Path, tmp_path: Path) -> None:
    zipped = _zip(tmp_path / "un.zip", {"consolidated.xml": (shared_data / UN).read_bytes()})
    assert len(read_path(zipped).entities) == 1003


def test_nested_zip_refused(tmp_path: Path) -> None:
    inner = _zip(tmp_path / "inner.zip", {"a.xml": b"<x/>"})
    outer = _zip(tmp_path / "outer.zip", {"inner.xml": inner.read_bytes()})
    with pytest.raises(InvalidFile, match="nested archives are refused"):
        read_path(outer)


def test_zip_with_several_lists_refused(tmp_path: Path) -> None:
    two = _zip(tmp_path / "lists.zip", {"a.xml": b"<x/>", "b.xml": b"<y/>"})
    with pytest.raises(InvalidFile, match=r"zip should hold one list file, holds a\.xml, b\.xml"):
        read_path(two)


SDN_XML_WALLET = """<?xml version="1.0" standalone="yes"?>
<sdnList xmlns="http://tempuri.org/sdnList.xsd">
  <publshInformation><Publish_Date>05/03/2024</Publish_Date><Record_Count>1</Record_Count></publshInformation>
  <sdnEntry>
    <uid>29702</uid><lastName>LIFSHITS</lastName><firstName>Artem Mikhaylovich</firstName>
    <sdnType>Individual</sdnType>
    <programList><program>CYBER2</program></programList>
    <idList>
      <id><uid>1</uid><idType>Digital Currency Address - ETH</idType>
        <idNumber>0xa7e5d5a720f06526557c513402f2e6b5fa20b008</idNumber></id>
      <id><uid>2</uid><idType>Digital Currency Address - USDT</idType>
        <idNumber>TWwxR5pvEW2A6C5cCTNN2GYJjgqbTKJ8ib</idNumber></id>
      <id><uid>3</uid><idType>Gender</idType><idNumber>Male</idNumber></id>
      <id><uid>4</uid><idType>Passport</idType><idNumber>4005504207</idNumber><idCountry>Russia</idCountry></id>
      <id><uid>5</uid><idType>Secondary sanctions risk:</idType>
        <idNumber>Ukraine-/Russia-Related</idNumber></id>
    </idList>
  </sdnEntry>
</sdnList>
"""


def test_ofac_xml_wallets_and_non_document_ids(tmp_path: Path) -> None:
    # The shape of a current sdn.xml entry (the genuine excerpt predates wallet ids): wallets, gender and
    # risk notes ride in <idList>; only documents become documents.
    path = tmp_path / "sdn.xml"
    path.write_text(SDN_XML_WALLET)
    parsed = read_path(path)
    assert parsed.declared_count == 1
    (e,) = parsed.entities
    assert [(c.currency, c.chain) for c in e.crypto_addresses] == [("ETH", "ethereum"), ("USDT", "tron")]
    assert e.gender == "male"
    assert [(d.type, d.number, d.country) for d in e.documents] == [("passport", "4005504207", "RU")]
    assert e.extra["Secondary sanctions risk"] == "Ukraine-/Russia-Related"
