"""The one YAML loader behind profiles, sites and rule sets: safe values, lines, one error form."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from finalmile.config.yaml_source import load_yaml, read_source
from finalmile.errors import ConfigError


class Shift(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str
    end: str


class Roster(BaseModel):
    shifts: list[Shift]


def _refused(text: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_yaml(text, source="site.yaml")
    return raised.value.errors


def test_each_key_and_list_entry_keeps_its_line_and_times_stay_text() -> None:
    document = load_yaml(
        "# a comment\nshifts:\n  - start: 08:00\n    end: '16:00'\n  - start: 16:00\n",
        source="site.yaml",
    )
    assert document.data == {"shifts": [{"start": "08:00", "end": "16:00"}, {"start": "16:00"}]}
    lines = {(): 2, ("shifts",): 2, ("shifts", 0): 3, ("shifts", 0, "end"): 4, ("shifts", 1): 5}
    assert {path: document.line(path) for path in lines} == lines
    assert document.line(("shifts", 1, "end")) == 5  # absent: the line of what would hold it
    assert document.error(("shifts", 1, "start"), "late") == "site.yaml:5: shifts[1].start: late"
    assert document.error((), "empty roster") == "site.yaml:2: empty roster"
    assert document.problems == []


def test_validation_errors_name_the_line_of_the_key_in_plain_words() -> None:
    document = load_yaml(
        "shifts:\n  - {start: '08:00', end: '16:00'}\n  - {start: '16:00', ends: 0}\n",
        source="site.yaml",
    )
    with pytest.raises(ConfigError) as raised:
        document.validate(Roster)
    assert raised.value.errors == [
        "site.yaml:3: shifts[1].end: required",
        "site.yaml:3: shifts[1].ends: unknown key",
    ]


def test_problems_found_while_loading_are_all_kept_with_their_lines() -> None:
    document = load_yaml(
        "shifts:\n"
        "  - start: '08:00'\n"
        "    start: '09:00'\n"
        "    1: first\n"
        "    end: 2026-02-30\n"
        "    note: !!python/object/apply:os.system [true]\n"
        "    days: !!set {mon, tue}\n",
        source="site.yaml",
    )
    assert document.problems == [
        "site.yaml:3: shifts[0].start: key given twice",
        "site.yaml:4: shifts[0]: a key is text: put it in quotes",
        "site.yaml:5: shifts[0].end: not a valid value: day is out of range for month",
        "site.yaml:6: shifts[0].note: not a valid value: could not determine a constructor for "
        "the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
        "site.yaml:7: shifts[0].days: not a valid value: could not determine a constructor for "
        "the tag 'tag:yaml.org,2002:set'",
    ]
    data = {"shifts": [{"start": "08:00", "end": None, "note": None, "days": None}]}
    assert document.data == data
    with pytest.raises(ConfigError) as raised:
        document.validate(Roster)
    assert raised.value.errors[:5] == document.problems
    assert raised.value.errors[5:] == [
        "site.yaml:5: shifts[0].end: Input should be a valid string",
        "site.yaml:6: shifts[0].note: unknown key",
        "site.yaml:7: shifts[0].days: unknown key",
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "site.yaml:1: expected key: value settings, found an empty file"),
        ("# nothing yet\n", "site.yaml:1: expected key: value settings, found an empty file"),
        ("\n- a\n- b\n", "site.yaml:2: expected key: value settings, found a list"),
        ("just words\n", "site.yaml:1: expected key: value settings, found a single value"),
        (
            "a: 1\nb: [2\n",
            "site.yaml:3: not valid YAML: while parsing a flow sequence, expected ',' or ']', but "
            "got '<stream end>'",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "site.yaml:2: not valid YAML: expected a single document in the stream, but found "
            "another document",
        ),
        (
            "base: &day {start: '08:00'}\nshifts:\n  - *day\n",
            "site.yaml:3: aliases (*name) are not supported; write the value out",
        ),
        (
            "shifts: &loop\n  - *loop\n",
            "site.yaml:2: aliases (*name) are not supported; write the value out",
        ),
    ],
)
def test_what_cannot_be_read_as_settings_is_refused_with_its_line(text: str, error: str) -> None:
    assert _refused(text) == [error]


def test_a_file_that_is_not_utf8_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_bytes("name: Zürich\n".encode("cp1252"))
    with pytest.raises(ConfigError) as raised:
        read_source(path)
    assert raised.value.errors == [f"{path}: cannot be read (UnicodeDecodeError)"]
    path.write_text("name: Zürich\n", encoding="utf-8")
    assert read_source(path) == "name: Zürich\n"
