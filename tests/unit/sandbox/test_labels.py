"""Label files are well-formed: PDF cross-reference offsets, PNG chunks, ZPL framing."""

from __future__ import annotations

import re
import struct
import zlib

from finalmile_sandbox.labels import PNG_HEIGHT, PNG_WIDTH, LabelContent, render
from finalmile_sandbox.records import LabelFormat

CONTENT = LabelContent(
    carrier="USPS",
    service="Priority Mail (2-Day)",
    tracking_code="9400100000000000000001",
    ship_to=("SYNTHETIC PATIENT", "12 ELM ST", "CAMBRIDGE MA 02139-1234"),
    ship_from=("Synthetic Pharmacy", "1 Test Plaza", "Boston MA 02110"),
)


def test_pdf_xref_points_at_every_object() -> None:
    pdf = render(CONTENT, LabelFormat.PDF)

    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n0 6\n")
    offsets = re.findall(rb"(\d{10}) 00000 n ", pdf[startxref:])
    for number, offset in enumerate(offsets, start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj" % number)
    assert b"/MediaBox [0 0 288 432]" in pdf
    assert rb"(USPS Priority Mail \(2-Day\)) Tj" in pdf  # parentheses escaped


def test_png_chunks_and_size() -> None:
    png = render(CONTENT, LabelFormat.PNG)

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, []
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, data = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + data)
        chunks.append((kind, data))
        position += 12 + length
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    assert struct.unpack(">II", chunks[0][1][:8]) == (PNG_WIDTH, PNG_HEIGHT)
    assert len(zlib.decompress(chunks[1][1])) == PNG_HEIGHT * (1 + PNG_WIDTH // 8)


def test_zpl_is_one_label_with_a_barcode() -> None:
    zpl = render(CONTENT, LabelFormat.ZPL).decode()

    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert "^BCN" in zpl and "^FD9400100000000000000001^FS" in zpl
