"""Legal holds in the archive: the per-order index and the PDF packet say whether the evidence is
on hold (since when, by whom) and list every hold placed and released; the archive listing flags
held orders and filters on them. The hold's text stays with admin keys."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from finalmile.app import Services
from finalmile.auth.models import Scope
from finalmile.auth.service import create_key
from finalmile.cli import app
from finalmile.config.settings import Settings
from finalmile.evidence.archive.listing import ArchiveFilter
from finalmile.evidence.archive.pdf import render_pdf
from tests.integration.evidence.conftest import store_order
from tests.integration.evidence.test_legal_hold import (
    REASON,
    REFERENCE,
    RELEASE_REASON,
    TODAY,
    due_order,
)

runner = CliRunner()
SITE = ZoneInfo("America/New_York")
LONG_AGO = dt.datetime(2015, 6, 1, 12, tzinfo=dt.UTC)


def pdf_text(content: bytes) -> str:
    """The packet's text with runs of white space (line and cell breaks) made single spaces."""
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def packet_time(value: object) -> str:
    """An ISO time as the packet prints it (site wall clock, to the minute)."""
    return dt.datetime.fromisoformat(str(value)).astimezone(SITE).strftime("%Y-%m-%d %H:%M %Z")


def reader_headers(services: Services) -> dict[str, str]:
    """An ``orders:read`` key: what a records officer or billing auditor holds."""
    with services.sessions() as session, session.begin():
        token = create_key(session=session, name="auditor", scopes=[Scope.ORDERS_READ]).token
    return {"X-API-Key": token}


def test_index_and_packet_show_the_hold_in_force_and_every_hold_placed_and_released(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    order = store_order(app_services, 61)
    auditor = reader_headers(app_services)
    hold_path = f"/orders/{order.order_id}/legal-hold"
    index_path, pdf_path = (
        f"/orders/{order.order_id}/archive",
        f"/orders/{order.order_id}/archive.pdf",
    )

    never = client.get(index_path, headers=auditor).json()["legal_hold"]
    never_pdf = pdf_text(client.get(pdf_path, headers=auditor).content)
    first = client.post(hold_path, json={"reason": REASON, "reference": REFERENCE}, headers=headers)
    held = client.get(index_path, headers=auditor)
    held_pdf = pdf_text(client.get(pdf_path, headers=auditor).content)
    released = client.request("DELETE", hold_path, json={"reason": RELEASE_REASON}, headers=headers)
    second = client.post(hold_path, json={"reason": REASON}, headers=headers)
    again = client.get(index_path, headers=auditor).json()["legal_hold"]
    again_pdf = pdf_text(client.get(pdf_path, headers=auditor).content)

    assert never == {
        "held": False,
        "hold_id": None,
        "since": None,
        "placed_by": None,
        "history": [],
    }
    assert "ON LEGAL HOLD" not in never_pdf
    assert "Legal hold none" in never_pdf and "never been on legal hold" in never_pdf
    placed = first.json()
    state = held.json()["legal_hold"]
    assert (state["held"], state["hold_id"], state["placed_by"]) == (
        True,
        placed["hold_id"],
        placed["placed_by"],
    )
    assert dt.datetime.fromisoformat(state["since"]) == dt.datetime.fromisoformat(
        placed["placed_at"]
    )
    assert [(h["hold_id"], h["released_at"]) for h in state["history"]] == [
        (placed["hold_id"], None)
    ]
    since = packet_time(placed["placed_at"])
    assert "ON LEGAL HOLD" in held_pdf
    assert f"Legal hold in force since {since} by {placed['placed_by']}" in held_pdf
    assert f"{placed['hold_id']} {since} {placed['placed_by']} in force" in held_pdf

    closed, current = released.json(), second.json()
    assert again["held"] is True and again["hold_id"] == current["hold_id"]
    assert [(h["hold_id"], h["released_by"]) for h in again["history"]] == [
        (placed["hold_id"], closed["released_by"]),
        (current["hold_id"], None),
    ]
    assert dt.datetime.fromisoformat(again["history"][0]["released_at"]) == (
        dt.datetime.fromisoformat(closed["released_at"])
    )
    released_row = (
        f"{placed['hold_id']} {since} {placed['placed_by']} "
        f"{packet_time(closed['released_at'])} {closed['released_by']}"
    )
    assert released_row in again_pdf
    assert f"{current['hold_id']} {packet_time(current['placed_at'])}" in again_pdf

    for text in (held.text, held_pdf, again_pdf):  # the hold's text is for admin keys only
        assert "Quillfeather" not in text and "SUCV2031" not in text


def test_the_archive_listing_flags_held_orders_and_filters_on_them(
    client: TestClient, app_services: Services, headers: dict[str, str]
) -> None:
    free, held, other = (store_order(app_services, n) for n in (62, 63, 64))
    auditor = reader_headers(app_services)
    for order in (held, other):
        client.post(
            f"/orders/{order.order_id}/legal-hold",
            json={"reason": REASON, "reference": REFERENCE},
            headers=headers,
        )
    client.request(
        "DELETE",
        f"/orders/{other.order_id}/legal-hold",
        json={"reason": RELEASE_REASON},
        headers=headers,
    )

    everything = client.get("/archive", headers=auditor)
    only_held = client.get("/archive?legal_hold=true", headers=auditor)
    not_held = client.get("/archive?legal_hold=false", headers=auditor)
    first_page = client.get("/archive?limit=2", headers=auditor).json()
    second_page = client.get(
        "/archive", params={"limit": 2, "cursor": first_page["next_cursor"]}, headers=auditor
    ).json()
    bad_cursor = client.get("/archive?cursor=bm9wZQ", headers=auditor)
    no_key = client.get("/archive")
    holds = client.get("/legal-holds", headers=headers).json()

    assert everything.status_code == 200, everything.text
    items = everything.json()["items"]
    assert [(i["order_id"], i["legal_hold"]["held"]) for i in items] == [
        (other.order_id, False),
        (held.order_id, True),
        (free.order_id, False),
    ]
    (held_item,) = only_held.json()["items"]
    (hold,) = holds
    assert held_item["order_id"] == held.order_id
    assert (held_item["legal_hold"]["hold_id"], held_item["legal_hold"]["placed_by"]) == (
        hold["hold_id"],
        hold["placed_by"],
    )
    assert dt.datetime.fromisoformat(held_item["legal_hold"]["since"]) == (
        dt.datetime.fromisoformat(hold["placed_at"])
    )
    assert held_item["retention"]["basis"] == "last change"
    assert held_item["documents"] == {
        "index": f"/orders/{held.order_id}/archive",
        "packet_pdf": f"/orders/{held.order_id}/archive.pdf",
    }
    assert [i["order_id"] for i in not_held.json()["items"]] == [other.order_id, free.order_id]
    assert [i["order_id"] for i in first_page["items"]] == [other.order_id, held.order_id]
    assert [i["order_id"] for i in second_page["items"]] == [free.order_id]
    assert second_page["next_cursor"] is None
    assert (bad_cursor.status_code, bad_cursor.json()["error"]["code"]) == (422, "invalid_cursor")
    assert no_key.status_code == 401
    assert "Quillfeather" not in everything.text and "Testpatient" not in everything.text


def test_a_released_and_purged_order_shows_its_history_and_purge(services: Services) -> None:
    order = due_order(services, 65, changed=LONG_AGO)
    archive = services.archive
    placed = archive.place_hold(
        order_id=order.order_id, connector=None, reason=REASON, reference=None, actor="compliance:a"
    )
    kept = archive.packet(order_id=order.order_id, connector=None)
    archive.release_hold(
        order_id=order.order_id, connector=None, reason=RELEASE_REASON, actor="compliance:b"
    )
    archive.purge(actor="test", today=TODAY)

    (entry,) = archive.listing(filters=ArchiveFilter(held=False), limit=10).entries
    packet = archive.packet(order_id=order.order_id, connector=None)
    kept_text, purged_text = pdf_text(render_pdf(kept)), pdf_text(render_pdf(packet))
    assert "past retention, the evidence is kept until the hold is released" in kept_text
    assert (entry.order_id, entry.hold) == (order.order_id, None)
    assert entry.retention.purged_at is not None
    assert packet.legal_hold.active is None
    assert [(h.hold_id, h.placed_by, h.released_by) for h in packet.legal_hold.holds] == [
        (placed.hold_id, "compliance:a", "compliance:b")
    ]
    assert (
        "Evidence purged" in purged_text and "Legal hold none in force (1 released)" in purged_text
    )
    assert archive.listing(filters=ArchiveFilter(held=True), limit=10).entries == []


def test_cli_lists_the_archive_with_held_orders_flagged_and_exports_a_held_packet(
    cli_env: Settings, services: Services, tmp_path: Path
) -> None:
    free, held = store_order(services, 66), store_order(services, 67)
    hold_args = ["--reason", REASON, "--reference", REFERENCE, "--actor", "compliance:rgray"]
    placed = runner.invoke(app, ["archive", "hold", held.order_id, *hold_args])
    out = tmp_path / "held.pdf"

    everything = runner.invoke(app, ["archive", "list"])
    only_held = runner.invoke(app, ["archive", "list", "--held"])
    not_held = runner.invoke(app, ["archive", "list", "--not-held"])
    elsewhere = runner.invoke(app, ["archive", "list", "--connector", "other"])
    exported = runner.invoke(app, ["archive", "export", held.order_id, "--out", str(out)])

    assert placed.exit_code == 0, placed.stderr
    hold = json.loads(placed.stdout)
    assert everything.exit_code == 0, everything.stderr
    rows = [json.loads(line) for line in everything.stdout.splitlines()]
    assert [(r["order_id"], r["held"]) for r in rows] == [
        (held.order_id, True),
        (free.order_id, False),
    ]
    (held_row,) = [json.loads(line) for line in only_held.stdout.splitlines()]
    assert (held_row["hold_id"], held_row["held_by"], held_row["status"]) == (
        hold["hold_id"],
        "compliance:rgray",
        "received",
    )
    assert held_row["held_since"] == hold["placed_at"]
    assert held_row["retain_until"] and held_row["purged_at"] is None
    assert [json.loads(line)["order_id"] for line in not_held.stdout.splitlines()] == [
        free.order_id
    ]
    assert (elsewhere.exit_code, elsewhere.stdout) == (0, "")
    assert "Quillfeather" not in everything.stdout
    assert exported.exit_code == 0, exported.stderr
    text = pdf_text(out.read_bytes())
    assert "ON LEGAL HOLD" in text
    assert f"in force since {packet_time(hold['placed_at'])} by compliance:rgray" in text
    assert "Quillfeather" not in text
