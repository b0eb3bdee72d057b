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
    assert document.errors == []
    document.raise_errors()  # nothing to raise
    document.report(("shifts", 1, "start"), "late")
    document.report((), "empty roster")
    assert document.errors == ["site.yaml:2: empty roster", "site.yaml:5: shifts[1].start: late"]


def test_validation_errors_name_the_line_of_the_key_in_plain_words() -> None:
    document = load_yaml(
        "shifts:\n  - {start: '08:00', end: '16:00'}\n  - {start: '16:00', ends: 0}\n",
        source="site.yaml",
    )
    assert document.validate(Roster) is None
    with pytest.raises(ConfigError) as raised:
        document.raise_errors()
    assert raised.value.errors == [
        "site.yaml:3: shifts[1].end: required",
        "site.yaml:3: shifts[1].ends: unknown key",
    ]


def test_errors_are_listed_once_each_by_line_and_in_the_order_found_on_one_line() -> None:
    document = load_yaml("a: 1\nb: 2\nc: 3\n", source="f.yaml")
    document.report(("c",), "third")
    document.report(("a",), "first")
    document.report(("c",), "third again")
    document.report(("b",), "second")
    document.report(("a",), "first")
    assert document.errors == [
        "f.yaml:1: a: first",
        "f.yaml:2: b: second",
        "f.yaml:3: c: third",
        "f.yaml:3: c: third again",
    ]


def test_problems_found_while_loading_are_all_kept_with_their_lines() -> None:
    document = load_yaml(
        "shifts:\n"
        "  - start: '08:00'\n"
        "    start: '09:00'\n"
        "    1: first\n"
        "    end: 2026-02-30\n"
        "    note: !!python/object/apply:os.system [true]\n"
        "    days: !!set {mon, tue}\n"
        "    open: !!bool maybe\n"
        "    since: !!timestamp soon\n"
        "    logo: !!binary aGk=\n",
        source="site.yaml",
    )
    loading = [
        "site.yaml:3: shifts[0].start: key given twice",
        "site.yaml:4: shifts[0]: a key is text: put it in quotes",
        "site.yaml:5: shifts[0].end: not a valid value: day is out of range for month",
        "site.yaml:6: shifts[0].note: not a valid value: could not determine a constructor for "
        "the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
        "site.yaml:7: shifts[0].days: not a valid value: could not determine a constructor for "
        "the tag 'tag:yaml.org,2002:set'",
        "site.yaml:8: shifts[0].open: not a valid value: 'maybe' is not a valid bool",
        "site.yaml:9: shifts[0].since: not a valid value: 'soon' is not a valid timestamp",
        "site.yaml:10: shifts[0].logo: not a valid value: could not determine a constructor for "
        "the tag 'tag:yaml.org,2002:binary'",
    ]
    assert document.errors == loading
    unbuilt = {"end": None, "note": None, "days": None, "open": None, "since": None, "logo": None}
    assert document.data == {"shifts": [{"start": "08:00", **unbuilt}]}
    assert document.validate(Roster) is None
    # The bad date is not reported again as "not a valid string"; the unknown keys are, after
    # the problem of their value on the same line.
    assert document.errors == [
        *loading[:4],
        "site.yaml:6: shifts[0].note: unknown key",
        loading[4],
        "site.yaml:7: shifts[0].days: unknown key",
        loading[5],
        "site.yaml:8: shifts[0].open: unknown key",
        loading[6],
        "site.yaml:9: shifts[0].since: unknown key",
        loading[7],
        "site.yaml:10: shifts[0].logo: unknown key",
    ]


def test_a_value_that_could_not_be_built_is_not_reported_again_but_counts_as_failed() -> None:
    document = load_yaml("cutoff: 2026-02-30\nrules:\n  - {when: {late: $cutoff}}\n", source="r")
    assert not document.failed(("rules",))
    document.report(("cutoff",), "a setting is a date")  # the loader said it: not again
    rule = ("rules", 0, "when", "late")
    document.report(rule, "no setting 'cutoff'", follows=("cutoff",))  # follows from it
    document.report(rule, "unknown fact 'late'", on_key=True)  # the key is wrong as well
    assert document.failed(("rules",)) and document.failed(rule)
    assert document.errors == [
        "r:1: cutoff: not a valid value: day is out of range for month",
        "r:3: rules[0].when.late: unknown fact 'late'",
    ]


def test_a_problem_that_follows_from_a_valid_value_is_listed() -> None:
    document = load_yaml("settings: {far: 40}\nrule: {above: $near}\n", source="r")
    document.report(("rule", "above"), "no setting 'near'", follows=("settings", "near"))
    document.report(("settings",), "settings is a mapping")  # now a value holding it failed
    document.report(("rule", "above"), "no setting 'far'", follows=("settings", "far"))
    assert document.errors == [
        "r:1: settings: settings is a mapping",
        "r:2: rule.above: no setting 'near'",
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
