"""Item master files: CSV and YAML, every problem by line, duplicates across layouts caught."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from finalmile.canonical import StorageClass
from finalmile.errors import ConfigError
from finalmile.items import HazmatFlag, load_item_file


def test_csv_entries_are_read_with_normalised_ndcs(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        "ndc,description,storage,dry_ice,hazmat,weight_lb,length_in,width_in,height_in\n"
        "68982-0850-01,Cell therapy bag,frozen,true,toxic;limited_quantity,18,16,14,12\n"
        "0069-2587-10,Vancomycin vial,controlled_room,,,1.5,,,\n",
        encoding="utf-8",
    )
    first, second = load_item_file(path)
    assert (first.ndc, first.storage, first.dry_ice) == ("68982085001", StorageClass.FROZEN, True)
    assert first.hazmat == (HazmatFlag.TOXIC, HazmatFlag.LIMITED_QUANTITY)
    assert first.dimensions_in == (Decimal(16), Decimal(14), Decimal(12))
    assert first.cold_chain
    assert (second.ndc, second.weight_lb, second.dimensions_in) == (
        "00069258710",
        Decimal("1.5"),
        None,
    )


def test_csv_lists_every_problem_by_line(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        "ndc,storage,weight_lb\n"
        "0069-2587-10,controlled_room,1\n"
        "00069-2587-10,cool,1\n"  # a bad class
        "6898208501,frozen,1\n"  # ten digits without dashes
        "00069258710,ambient,-2\n",  # the NDC of line 2 again, and a negative weight
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_item_file(path)
    errors = caught.value.errors
    assert [e.split(": ")[0] for e in errors] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "storage" in errors[0]
    assert "4-4-2, 5-3-2, 5-4-1 or 5-4-2" in errors[1]
    assert "weight_lb" in errors[2]


def test_csv_duplicate_ndc_in_another_layout_names_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("ndc,storage\n0069-2587-10,ambient\n00069258710,frozen\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_item_file(path)
    assert caught.value.errors == [f"{path}:3: ndc: NDC 00069258710 is already on line 2"]


def test_yaml_errors_name_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "items.yaml"
    path.write_text(
        "items:\n"
        "  - ndc: 00002-8215-01\n"
        "    storage: refrigerated\n"
        "  - ndc: 0002-8215-01\n"
        "    storage: refrigerated\n"
        "  - ndc: 61958-1501-01\n"
        "    storage: warm\n"
        "    colour: blue\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_item_file(path)
    errors = caught.value.errors
    assert errors[0] == f"{path}:4: items[1].ndc: NDC 00002821501 is already listed as item 0"
    assert errors[1].startswith(f"{path}:7: items[2].storage: Input should be 'ambient'")
    assert errors[2] == f"{path}:8: items[2].colour: unknown key"


def test_an_unquoted_eleven_digit_ndc_in_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "items.yaml"
    path.write_text("items:\n  - ndc: 00002721501\n    storage: frozen\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_item_file(path)
    assert caught.value.errors == [
        f"{path}:2: items[0].ndc: write the NDC in quotes (as a number it loses its leading zeros)"
    ]


def test_unknown_csv_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("ndc,storage,temp\n0069-2587-10,ambient,5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown columns temp"):
        load_item_file(path)


def test_dry_ice_weight_is_read_and_needs_dry_ice(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text(
        "ndc,storage,dry_ice,dry_ice_weight_lb\n"
        "68982-0850-01,frozen,true,5\n"
        "00069-2587-10,ambient,false,1\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_item_file(path)
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].startswith(f"{path}:3: ")
    assert "dry_ice_weight_lb is given but dry_ice is not true" in caught.value.errors[0]
    path.write_text(path.read_text().splitlines(keepends=True)[0] + "68982-0850-01,frozen,y,5\n")
    [entry] = load_item_file(path)
    assert entry.dry_ice and entry.dry_ice_weight_lb == 5
