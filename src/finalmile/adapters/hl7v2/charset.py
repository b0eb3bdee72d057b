"""Character sets of inbound HL7 v2 messages: MSH-18 (HL7 Table 0211) to Python codecs.

The bytes of a message are decoded with the codec its MSH-18 declares (first repetition, HL7
v2.5 §2.15.9.18); an empty MSH-18 means the connector's fallback (UTF-8 by default). Besides the
Table 0211 names, a few spellings seen in the wild are accepted: DICOM's ``ISO IR nnn`` terms,
``UTF-8``, ``ISO-8859-n`` and Windows code pages (``CP1252``, ``WINDOWS-1252``).
"""

from __future__ import annotations

import codecs
import re

from finalmile.adapters.codes import AdapterCode
from finalmile.errors import InputError

_TABLE_0211: dict[str, str] = {
    "ASCII": "ascii",
    **{f"8859/{n}": f"iso8859-{n}" for n in range(1, 10)},
    "8859/15": "iso8859-15",
    "ISO IR6": "ascii",
    "ISO IR100": "iso8859-1",
    "ISO IR101": "iso8859-2",
    "ISO IR109": "iso8859-3",
    "ISO IR110": "iso8859-4",
    "ISO IR144": "iso8859-5",
    "ISO IR127": "iso8859-6",
    "ISO IR126": "iso8859-7",
    "ISO IR138": "iso8859-8",
    "ISO IR148": "iso8859-9",
    "ISO IR192": "utf-8",
    "UNICODE": "utf-8",
    "UNICODE UTF-8": "utf-8",
    "UNICODE UTF-16": "utf-16",
    "UNICODE UTF-32": "utf-32",
    "GB 18030-2000": "gb18030",
    "BIG-5": "big5",
    "KS X 1001": "euc-kr",
    "UTF-8": "utf-8",
    "UTF8": "utf-8",
    "LATIN1": "iso8859-1",
}
_WILD = re.compile(r"(?:CP|WINDOWS-?)(12[5][0-8])|ISO-?8859-(1[0-5]|[1-9])")

# (byte order mark or the null-byte pattern of "MSH", codec): UTF-16/32 messages cannot be read
# through an ASCII MSH, so they are recognised by their first bytes.
_WIDE = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"M\x00\x00\x00S\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00M\x00\x00\x00S", "utf-32-be"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"M\x00S\x00", "utf-16-le"),
    (b"\x00M\x00S", "utf-16-be"),
)
_UTF8_BOM = b"\xef\xbb\xbf"


def codec_for(charset: str) -> str | None:
    """The Python codec for an MSH-18 value (HL7 Table 0211), or ``None`` when unsupported.

    A name that looks right but has no codec (``ISO-8859-12``) is unsupported too.
    """
    name = " ".join(charset.strip().upper().replace("_", " ").split())
    codec = _TABLE_0211.get(name)
    if codec is not None:
        return codec
    wild = _WILD.fullmatch(name)
    if wild is None:
        return None
    codec = f"cp{wild.group(1)}" if wild.group(1) else f"iso8859-{wild.group(2)}"
    try:
        codecs.lookup(codec)
    except LookupError:
        return None
    return codec


def declared_charset(raw: bytes) -> str:
    """MSH-18 (first repetition) read from the raw bytes of an MSH; ``""`` when not valued."""
    if not raw.startswith(b"MSH") or len(raw) < 8:
        return ""
    end = len(raw)
    for terminator in (b"\r", b"\n"):
        found = raw.find(terminator, 0, end)
        if found != -1:
            end = found
    fields = raw[:end].split(raw[3:4])
    if len(fields) < 18:
        return ""
    repetition = fields[1][1:2] or b"~"
    return fields[17].split(repetition, 1)[0].strip().decode("latin-1")


def decode(raw: bytes, *, fallback_charset: str = "utf-8") -> str:
    """Decode an HL7 v2 message with the character set declared in MSH-18.

    Args:
        raw: the message bytes, MLLP framing removed.
        fallback_charset: used when MSH-18 is empty; a Table 0211 name or a Python codec.

    Raises:
        InputError: ``MSH-18`` ``unsupported_charset`` when MSH-18 names a character set we cannot
            decode, ``undecodable`` when the bytes are not valid in the declared character set.
    """
    for prefix, codec in _WIDE:
        if raw.startswith(prefix):
            return _decode(raw, codec, codec, 0).lstrip("\ufeff")
    offset = len(_UTF8_BOM) if raw.startswith(_UTF8_BOM) else 0
    body = raw[offset:]
    declared = declared_charset(body)
    if declared:
        codec_name = codec_for(declared)
        if codec_name is None:
            raise InputError(
                f"MSH-18 declares the character set {declared!r}, which is not supported; "
                "use a HL7 Table 0211 value such as 'UNICODE UTF-8' or '8859/1'",
                location="MSH-18",
                code=AdapterCode.UNSUPPORTED_CHARSET,
            )
        return _decode(body, codec_name, declared, offset)
    fallback = codec_for(fallback_charset) or fallback_charset
    return _decode(body, fallback, f"{fallback_charset} (the connector default)", offset)


def _decode(body: bytes, codec: str, label: str, offset: int) -> str:
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the bytes at offset {offset + exc.start} are not valid {label}; "
            "declare the message's character set in MSH-18 (HL7 Table 0211)",
            location="MSH-18",
            code=AdapterCode.UNDECODABLE,
        ) from None
