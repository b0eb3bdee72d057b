"""Label files: a real 4x6 inch PDF, a ZPL II program and a PNG, all built from the label's text.

Hand-built (no imaging dependency): the PDF has one page with Helvetica text and a correct xref
table, the PNG is a 1-bit 400x600 image with a border and bars derived from the tracking number.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from finalmile_sandbox.records import LabelFormat

MEDIA_TYPES = {
    LabelFormat.PDF: "application/pdf",
    LabelFormat.ZPL: "application/zpl",
    LabelFormat.PNG: "image/png",
}
EXTENSIONS = {LabelFormat.PDF: "pdf", LabelFormat.ZPL: "zpl", LabelFormat.PNG: "png"}


def label_url(base_url: str, label_id: str, label_format: LabelFormat) -> str:
    """Where the sandbox serves a label file (``/files/<label id>.<ext>``)."""
    return f"{base_url}files/{label_id}.{EXTENSIONS[label_format]}"


@dataclass(frozen=True)
class LabelContent:
    """What a label shows."""

    carrier: str
    service: str
    tracking_code: str
    ship_to: tuple[str, ...]  # address lines
    ship_from: tuple[str, ...]


def render(content: LabelContent, label_format: LabelFormat) -> bytes:
    """The label file in the requested format."""
    if label_format is LabelFormat.PDF:
        return _pdf(content)
    if label_format is LabelFormat.ZPL:
        return _zpl(content)
    return _png(content)


def _lines(content: LabelContent) -> list[str]:
    return [
        f"{content.carrier} {content.service}",
        "FROM:",
        *content.ship_from,
        "SHIP TO:",
        *content.ship_to,
        f"TRACKING # {content.tracking_code}",
        "SANDBOX LABEL - NOT POSTAGE",
    ]


def _pdf_text(text: str) -> str:
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf(content: LabelContent) -> bytes:
    commands = ["BT", "/F1 12 Tf", "14 TL", "18 400 Td"]
    for line in _lines(content):
        commands.append(f"({_pdf_text(line)}) Tj T*")
    commands.append("ET")
    stream = "\n".join(commands).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _zpl(content: LabelContent) -> bytes:
    fields = [
        f"^FO40,{40 + 40 * i}^A0N,30,30^FD{line}^FS" for i, line in enumerate(_lines(content))
    ]
    barcode = f"^FO40,900^BY3^BCN,150,Y,N,N^FD{content.tracking_code}^FS"
    return ("^XA\n" + "\n".join([*fields, barcode]) + "\n^XZ\n").encode()


PNG_WIDTH, PNG_HEIGHT = 400, 600


def _png(content: LabelContent) -> bytes:
    bars = "".join(f"{byte:08b}" for byte in content.tracking_code.encode())
    rows = []
    for y in range(PNG_HEIGHT):
        bits = []
        for x in range(PNG_WIDTH):
            border = x < 4 or y < 4 or x >= PNG_WIDTH - 4 or y >= PNG_HEIGHT - 4
            in_barcode = 420 <= y < 540 and 40 <= x < 40 + 3 * len(bars)
            black = border or (in_barcode and bars[(x - 40) // 3] == "1")
            bits.append("0" if black else "1")  # grayscale 1-bit: 0 is black
        rows.append(b"\x00" + int("".join(bits), 2).to_bytes(PNG_WIDTH // 8, "big"))
    header = struct.pack(">IIBBBBB", PNG_WIDTH, PNG_HEIGHT, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
