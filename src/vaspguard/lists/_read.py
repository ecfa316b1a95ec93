"""``read_path``: any supported publisher file to a ``ParsedList``, the format told from the content.

Detection looks at bytes, never at the file name (a name only decides OFAC SDN vs non-SDN and finds an
OFAC file's companions): zip magic, the XML root element, JSON lines with FtM keys, or the CSV shape.
A file that is none of the known formats is refused with the reason; so is a companion file
(``add.csv``, ``alt.csv``, ``sdn_comments.csv``) given alone, since it is not a list by itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from vaspguard.errors import InvalidFile
from vaspguard.lists._config import ZIP_RATIO_FLOOR, ListsSettings
from vaspguard.lists._eu import read_eu_xml
from vaspguard.lists._ftm import read_ftm
from vaspguard.lists._model import ParsedList, Source
from vaspguard.lists._ofac_csv import companions_of, read_ofac_csv
from vaspguard.lists._ofac_xml import read_ofac_enhanced, read_ofac_xml
from vaspguard.lists._uk import read_ofsi_csv, read_uk_xml
from vaspguard.lists._un import read_un_xml
from vaspguard.lists._xml import local, root_of

FORMATS = (
    "ofac_csv",
    "ofac_xml",
    "ofac_enhanced_xml",
    "eu_xml",
    "un_xml",
    "uk_xml",
    "uk_ofsi_csv",
    "ftm_json",
    "ftm_delta",
)

_XML_ROOTS = {
    "CONSOLIDATED_LIST": "un_xml",
    "sdnList": "ofac_xml",
    "sanctionsData": "ofac_enhanced_xml",
    "export": "eu_xml",
    "Designations": "uk_xml",
}
_CHUNK = 64 * 1024  # inflate a zip member 64 KiB at a time, checking the caps after each


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def combined_sha256(hashes: list[str] | tuple[str, ...], names: list[str] | tuple[str, ...]) -> str:
    """The SHA-256 of a file set: over ``"<sha256>  <name>\\n"`` lines sorted by name (sha256sum style)."""
    lines = "".join(f"{h}  {n}\n" for n, h in sorted(zip(names, hashes, strict=True)))
    return sha256_hex(lines.encode())


def detect(data: bytes, path: Path) -> str:
    """The format of ``data`` from its content (see ``FORMATS``)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise InvalidFile(path, "empty file")
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"<"):
        return _detect_xml(data, path)
    if head.startswith(b"{"):
        return _detect_json(head, path)
    return _detect_csv(head, path)


def _detect_xml(data: bytes, path: Path) -> str:
    """An XML list by its root element (``_XML_ROOTS``)."""
    name = local(root_of(data, path).tag)
    fmt = _XML_ROOTS.get(name)
    if fmt is None:
        raise InvalidFile(path, f"XML root <{name}> is no sanctions list format vaspguard reads")
    return fmt


def _detect_json(head: bytes, path: Path) -> str:
    """FtM JSON lines: a delta has ``op`` in its first line, an entity file ``schema``."""
    first = head.split(b"\n", 1)[0]
    if b'"op"' in first:
        return "ftm_delta"
    if b'"schema"' in first:
        return "ftm_json"
    raise InvalidFile(path, "JSON that is neither FollowTheMoney entities nor an FtM delta")


def _detect_csv(head: bytes, path: Path) -> str:
    """A CSV by its first line: the OFSI ConList's "Last Updated", or an OFAC file by its field count."""
    text = head.decode("latin-1")
    first_line = text.splitlines()[0] if text else ""
    if first_line.startswith(("Last Updated", '"Last Updated')):
        return "uk_ofsi_csv"
    if first_line.startswith(("Report Date", '"Report Date')):
        raise InvalidFile(path, "the UK Sanctions List CSV is not read yet: use its XML export")
    try:
        fields = next(csv.reader(io.StringIO(first_line)))
    except (csv.Error, StopIteration):
        fields = []
    if fields and fields[0].strip().isdigit():
        width = len(fields)
        if width == 12:
            return "ofac_csv"
        role = {6: "address (add.csv)", 5: "alias (alt.csv)", 2: "comments (sdn_comments.csv)"}.get(width)
        if role:
            raise InvalidFile(
                path, f"an OFAC {role} companion file: import the sdn.csv / cons_prim.csv it belongs to"
            )
    raise InvalidFile(path, "not a sanctions list format vaspguard recognises (OFAC, EU, UN, UK, FtM)")


def _unzip(data: bytes, path: Path) -> tuple[str, bytes]:
    """The one list file in a zip, inflated in a stream under the caps of ``ListsSettings``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [
                i for i in zf.infolist() if not i.is_dir() and i.filename.lower().endswith((".xml", ".csv"))
            ]
            if len(members) != 1:
                names = ", ".join(i.filename for i in zf.infolist()) or "nothing"
                raise InvalidFile(path, f"zip should hold one list file, holds {names}")
            return members[0].filename, _inflate(members[0], path, data)
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise InvalidFile(path, f"broken zip: {exc}") from None


def _inflate(info: zipfile.ZipInfo, path: Path, archive: bytes) -> bytes:
    """Inflate ``info`` a chunk at a time, refusing as soon as it passes the size or the ratio cap.

    The sizes a zip declares are the attacker's to choose, so the bytes actually inflated are counted
    against the compressed bytes actually consumed (``zlib`` directly: ``ZipFile.open`` reads as many
    compressed bytes as decompressed ones are asked for, too coarse a count to stop a bomb early). A
    declared size over the cap refuses the member before any work. The CRC-32 is checked at the end, as
    ``zipfile`` would. Member names are the archive's text, so they are quoted (``repr``) in reasons.
    """
    settings = ListsSettings()
    limit, ratio = settings.zip_max_member, settings.zip_max_ratio
    name = repr(info.filename)
    if info.file_size > limit:
        raise InvalidFile(
            path, f"zip member {name} declares {info.file_size} bytes, over the {limit}: refused"
        )
    if info.flag_bits & 0x1:
        raise InvalidFile(path, f"zip member {name} is encrypted: refused")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InvalidFile(path, f"zip member {name} uses compression method {info.compress_type}: refused")
    raw = _member_bytes(info, archive)
    if info.compress_type == zipfile.ZIP_STORED:
        _check_caps(path, name, len(raw), len(raw), limit, ratio)  # stored: ratio 1
        inflated = bytes(raw)
    else:
        out = io.BytesIO()
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as zip stores it
        consumed = 0
        for start in range(0, len(raw), _CHUNK):
            pending = bytes(raw[start : start + _CHUNK])
            while pending:
                out.write(inflater.decompress(pending, _CHUNK))
                consumed += len(pending) - len(inflater.unconsumed_tail)
                pending = inflater.unconsumed_tail
                _check_caps(path, name, out.tell(), consumed, limit, ratio)
        out.write(inflater.flush())
        _check_caps(path, name, out.tell(), consumed, limit, ratio)
        inflated = out.getvalue()
    if zlib.crc32(inflated) != info.CRC:
        raise InvalidFile(path, f"broken zip: CRC-32 of {name} does not match")
    return inflated


def _member_bytes(info: zipfile.ZipInfo, archive: bytes) -> memoryview:
    """The compressed bytes of ``info``, located from its local file header (not inflated)."""
    start = info.header_offset
    header = archive[start : start + 30]
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"no local file header for {info.filename}")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    begin = start + 30 + name_length + extra_length
    end = begin + info.compress_size
    if end > len(archive):
        raise zipfile.BadZipFile(f"{info.filename} runs past the end of the archive")
    return memoryview(archive)[begin:end]


def _check_caps(path: Path, name: str, inflated: int, consumed: int, limit: int, ratio: int) -> None:
    if inflated > limit:
        raise InvalidFile(path, f"zip member {name} inflates past {limit} bytes: refused after {inflated}")
    if inflated > ZIP_RATIO_FLOOR and inflated > ratio * max(consumed, 1):
        raise InvalidFile(
            path,
            f"zip member {name} inflates more than {ratio} times its compressed size (possible zip bomb): "
            f"refused after {inflated}",
        )


def read_path(
    path: str | Path, fmt: str | None = None, *, companions: bool = True, check_count: bool = True
) -> ParsedList:
    """Read one publisher file (an OFAC legacy CSV set from its primary file) into a ``ParsedList``.

    ``fmt`` forces a format (one of ``FORMATS``); by default it is detected from the content. For an OFAC
    ``sdn.csv``/``cons_prim.csv``, ``companions`` picks up ``add.csv``, ``alt.csv`` and ``sdn_comments.csv``
    (``cons_*`` for non-SDN) from the same folder. ``check_count=False`` reads a file whose declared record
    count disagrees (a publisher excerpt) instead of refusing it; imports always check. Touches no database.
    """
    p = Path(path)
    if p.is_dir():
        raise InvalidFile(p, "a folder: name the list file (for an OFAC CSV set, its sdn.csv)")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InvalidFile(p, f"cannot read: {exc.strerror or exc}") from None
    digest = sha256_hex(data)
    inner = data
    detected = detect(data, p)
    if detected == "zip":
        member, inner = _unzip(data, p)
        detected = detect(inner, p / member)
        if detected == "zip":
            raise InvalidFile(p, f"{member} is itself a zip: nested archives are refused")
    if fmt is not None and fmt not in FORMATS:
        raise InvalidFile(p, f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    if fmt is not None and fmt != detected:
        raise InvalidFile(p, f"content is {detected}, not the {fmt} asked for")
    reader = _READERS.get(detected)
    parsed = reader(p, inner) if reader is not None else _read_ofac_csv(p, inner, companions)
    files: tuple[str, ...] = (str(p),)
    hashes: tuple[str, ...] = (digest,)
    sha = digest
    if parsed.files:  # a set: the reader names the companions it read
        files = parsed.files
        hashes = parsed.hashes
        sha = combined_sha256(hashes, [Path(f).name for f in files])
    parsed = replace(parsed, files=files, hashes=hashes, sha256=sha)
    counted = parsed.declared_count is not None and not parsed.is_delta
    if check_count and counted and parsed.declared_count != len(parsed.entities):
        raise InvalidFile(
            p,
            f"the file declares {parsed.declared_count} records but holds {len(parsed.entities)}: truncated?",
        )
    if not parsed.entities and not parsed.is_delta:
        raise InvalidFile(p, "no records: an empty or truncated list is never imported")
    return parsed


def _read_ofac_csv(p: Path, data: bytes, companions: bool) -> ParsedList:
    found = companions_of(p) if companions else {}
    loaded: dict[str, tuple[Path, bytes]] = {}
    for role, cp in found.items():
        try:
            loaded[role] = (cp, cp.read_bytes())
        except OSError as exc:
            raise InvalidFile(cp, f"cannot read: {exc.strerror or exc}") from None
    source = Source.OFAC_CONS if p.name.lower().startswith("cons_") else Source.OFAC_SDN
    entities, warnings = read_ofac_csv(p, data, loaded, source=source)
    files = (str(p), *(str(cp) for cp, _ in loaded.values()))
    hashes = (sha256_hex(data), *(sha256_hex(b) for _, b in loaded.values()))
    return ParsedList(
        source=source,
        format="ofac_csv",
        published_at=None,
        entities=entities,
        files=files if loaded else (),
        hashes=hashes if loaded else (),
        warnings=tuple(warnings),
    )


def _read_ftm_delta(p: Path, data: bytes) -> ParsedList:
    return read_ftm(p, data, delta=True)


def _read_ftm(p: Path, data: bytes) -> ParsedList:
    return read_ftm(p, data, delta=False)


# The readers of single files (the OFAC CSV set, which needs its companions, is read by _read_ofac_csv).
_READERS: dict[str, Callable[[Path, bytes], ParsedList]] = {
    "ofac_xml": read_ofac_xml,
    "ofac_enhanced_xml": read_ofac_enhanced,
    "eu_xml": read_eu_xml,
    "un_xml": read_un_xml,
    "uk_xml": read_uk_xml,
    "uk_ofsi_csv": read_ofsi_csv,
    "ftm_json": _read_ftm,
    "ftm_delta": _read_ftm_delta,
}
