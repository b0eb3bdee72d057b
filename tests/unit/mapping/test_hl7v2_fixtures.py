"""Every good fixture maps to exactly its expected contract JSON (tests/fixtures/hl7/expected)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import finalmile
from finalmile.adapters.hl7v2.parse import decode, parse
from finalmile.canonical import StorageClass
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map, map_message
from finalmile.mapping.intent import OrderAction

FIXTURES = Path(__file__).parents[2] / "fixtures" / "hl7"
#: The samples ``finalmile demo`` loads ship inside the package; their expected files are demo__*.
DEMO = Path(finalmile.__file__).parent / "config" / "defaults" / "demo"
EXAMPLES = Path(__file__).parents[3] / "examples" / "hl7"
CASES = sorted(FIXTURES.glob("*.hl7")) + sorted(DEMO.glob("*.hl7"))


def expected_for(path: Path) -> list[dict[str, Any]]:
    prefix = "demo__" if path.parent == DEMO else ""
    name = prefix + path.name.removesuffix(".hl7")
    data: list[dict[str, Any]] = json.loads((FIXTURES / "expected" / f"{name}.json").read_text())
    return data


def as_json(raw: bytes) -> list[dict[str, Any]]:
    _, intents = decode_and_map(raw, connector="default", profile=Hl7Profile())
    return [
        {
            "action": i.action.value,
            "order_id": i.order_id,
            "order": i.order.to_contract() if i.order else None,
        }
        for i in intents
    ]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_fixture_maps_to_expected_contract(path: Path) -> None:
    assert as_json(path.read_bytes()) == expected_for(path)


def test_every_fixture_has_an_expectation_and_a_readme_line() -> None:
    readme = (FIXTURES / "README.md").read_text()
    for path in CASES:
        assert expected_for(path)
        assert f"`{path.name}`" in readme


def test_map_message_equals_decode_and_map() -> None:
    raw = (FIXTURES / "rde_o11_v28_groups.hl7").read_bytes()
    profile = Hl7Profile()
    header, intents = decode_and_map(raw, connector="c", profile=profile)
    message = parse(decode(raw))
    assert header == message.header
    assert map_message(message, connector="c", profile=profile) == intents
    assert [i.order_id for i in intents] == ["RX-6006", "RX-6007"]


def test_cancel_intent_has_no_order() -> None:
    _, intents = decode_and_map(
        (FIXTURES / "rde_o11_v251_cancel.hl7").read_bytes(), connector="c", profile=Hl7Profile()
    )
    assert [(i.action, i.order_id, i.order) for i in intents] == [
        (OrderAction.CANCEL, "RX-1001", None)
    ]


def test_demo_orders_cover_storage_classes_and_versions() -> None:
    demo = sorted(DEMO.glob("*.hl7"))
    assert 5 <= len(demo) <= 8
    storages: set[StorageClass] = set()
    versions: set[str] = set()
    for path in demo:
        raw = path.read_bytes()
        assert b"\n" not in raw
        assert raw.endswith(b"\r")
        header, intents = decode_and_map(raw, connector="demo", profile=Hl7Profile())
        versions.add(header.version)
        storages |= {i.order.storage for i in intents if i.order and i.order.storage_known}
    assert storages == set(StorageClass)
    assert len(versions) >= 4


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.hl7")), ids=lambda p: p.name)
def test_quick_start_examples_map_to_new_orders(path: Path) -> None:
    _, intents = decode_and_map(path.read_bytes(), connector="default", profile=Hl7Profile())
    demo_ids = {i["order_id"] for p in DEMO.glob("*.hl7") for i in expected_for(p)}
    assert [i.action for i in intents] == [OrderAction.UPSERT]
    assert intents[0].order_id not in demo_ids
