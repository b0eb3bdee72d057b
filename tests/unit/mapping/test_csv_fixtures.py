"""The CSV fixtures mapped end to end: exact contract JSON for good orders, (line, location, code)
for every rejected row."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from finalmile.errors import InputError
from finalmile.mapping.csv import CsvOrder, CsvProfile, CsvRejection, iter_orders

FIXTURES = Path(__file__).parents[2] / "fixtures" / "csv"
WINDOWS = CsvProfile(
    delimiter=";",
    encoding="cp1252",
    columns={
        "order_id": "Rx Number",
        "mrn": "Patient ID",
        "family": "Last Name",
        "given": "First Name",
        "birth_date": "DOB",
        "line1": "Street",
        "city": "City",
        "postal_code": "Zip",
        "description": "Drug",
        "quantity": "Qty",
        "storage": "Temp",
        "requires_signature": "Sig Req",
    },
    defaults={"storage": "ambient", "unit": "EA"},
)


def run(name: str, profile: CsvProfile | None = None) -> list[CsvOrder | CsvRejection]:
    with (FIXTURES / name).open("rb") as stream:
        return list(iter_orders(stream, connector="default", profile=profile or CsvProfile()))


def contracts(results: list[CsvOrder | CsvRejection]) -> list[dict[str, Any]]:
    return [r.order.to_contract() for r in results if isinstance(r, CsvOrder)]


def rejections(results: list[CsvOrder | CsvRejection]) -> list[tuple[int, str | None, str]]:
    return [
        (r.line, r.error.location, r.error.code) for r in results if isinstance(r, CsvRejection)
    ]


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("orders_bom_crlf.csv", None),
        ("orders_quoted_lf.csv", None),
        ("windows1252_semicolon.csv", WINDOWS),
        ("rows_with_errors.csv", None),
        ("undecodable_utf8.csv", None),
    ],
)
def test_good_orders_match_the_expected_contract(name: str, profile: CsvProfile | None) -> None:
    expected = json.loads((FIXTURES / "expected" / name.replace(".csv", ".json")).read_text())
    assert contracts(run(name, profile)) == expected


def test_rows_of_an_order_are_one_order_with_their_lines() -> None:
    results = run("orders_bom_crlf.csv")
    assert [(r.order.order_id, r.lines) for r in results if isinstance(r, CsvOrder)] == [
        ("RX-1001", (2, 3)),
        ("RX-1002", (4,)),
    ]


def test_line_numbers_after_a_quoted_newline() -> None:
    assert [r.lines for r in run("orders_quoted_lf.csv") if isinstance(r, CsvOrder)] == [
        (2,),
        (4,),
    ]


def test_every_bad_row_is_reported_and_the_other_rows_go_through() -> None:
    results = run("rows_with_errors.csv")
    assert rejections(results) == [
        (2, "line 2, column 'quantity'", "invalid_quantity"),
        (3, "line 2", "order_rejected"),
        (5, "line 5, column 'birth_date'", "invalid_date"),
        (6, "line 6, column 'storage'", "unknown_code"),
        (7, "line 7, column 'requires_signature'", "invalid_flag"),
        (8, "line 8, column 'needed_by'", "invalid_date"),
        (10, "line 10, column 'mrn'", "required"),
        (11, "line 11", "field_count"),
        (12, "line 13", "order_rejected"),
        (13, "line 13, column 'mrn'", "conflicting_value"),
        (14, "line 14, column 'order_id'", "required"),
    ]
    accepted = [(r.order.order_id, r.lines) for r in results if isinstance(r, CsvOrder)]
    assert accepted == [("OK-1", (4, 9)), ("OK-2", (15,))]


def test_errors_never_quote_patient_data() -> None:
    text = (FIXTURES / "rows_with_errors.csv").read_text()
    phi = {v for line in text.splitlines()[1:] for v in line.split(",")[2:5] if v}
    phi |= {"1970-02-30", "1 A St", "Fail"}
    for rejection in run("rows_with_errors.csv"):
        if isinstance(rejection, CsvRejection):
            assert not any(value in str(rejection.error) for value in phi)


def test_undecodable_bytes_reject_the_row_naming_the_column() -> None:
    assert rejections(run("undecodable_utf8.csv")) == [
        (2, "line 2, column 'family'", "undecodable")
    ]


def test_renamed_columns_are_named_as_in_the_file() -> None:
    data = (FIXTURES / "windows1252_semicolon.csv").read_bytes().replace(b";10;", b";ten;")
    results = list(iter_orders(io.BytesIO(data), connector="default", profile=WINDOWS))
    assert rejections(results) == [(2, "line 2, column 'Qty'", "invalid_quantity")]


@pytest.mark.parametrize(
    ("name", "profile", "message"),
    [
        ("missing_columns.csv", CsvProfile(columns={"quantity": "Qty"}), "'mrn', 'line1'"),
        ("duplicate_columns.csv", CsvProfile(), "'MRN'"),
    ],
)
def test_header_problems_raise_before_any_row(name: str, profile: CsvProfile, message: str) -> None:
    with pytest.raises(InputError) as caught:
        run(name, profile)
    assert caught.value.location == "line 1"
    assert message in caught.value.message


def test_missing_columns_are_listed_together() -> None:
    with pytest.raises(InputError) as caught:
        run("missing_columns.csv")
    assert caught.value.code == "missing_column"
    assert "'mrn', 'line1', 'quantity'" in caught.value.message
