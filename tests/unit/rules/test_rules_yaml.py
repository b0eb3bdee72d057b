"""Rule-set and site files: every error reported at once, each with its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from finalmile.errors import ConfigError
from finalmile.rules import FACTS, decide, load_catalog, load_rule_set, load_site_config
from finalmile.rules.ruleset import Action
from tests.unit.rules.builders import DEFAULT_RULES, NEW_YORK, at, order, site


def _errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_rule_set(textwrap.dedent(text), source="new.yaml")
    return raised.value.errors


def test_the_default_rule_set_loads_in_file_order() -> None:
    rules = load_rule_set(DEFAULT_RULES, source="default.yaml")
    assert rules.name == "default"
    assert rules.settings["courier_radius_miles"] == 50
    assert [r.action for r in rules.rules][:3] == [Action.FORBID, Action.ALLOW_ONLY, Action.REQUIRE]
    assert rules.rules[0].line == 19


def test_every_error_is_listed_with_its_line() -> None:
    errors = _errors(
        """\
        name: broken
        settings:
          radius: 50
        rules:
          - name: typo in a fact
            when: {distanse_miles: {above: $radius}}
            forbid: true
          - name: bad test and value
            when: {distance_miles: {over: 5}, storage: chilled}
            forbid: true
          - name: missing setting
            when: {distance_miles: {above: $radious}}
            forbid: true
          - name: two actions
            forbid: true
            hold: true
          - name: unknown extra
            require: [saturday, dry_ice]
          - name: hold on a candidate fact
            when: {delivery_type: courier}
            hold: true
          - name: bad placeholder
            forbid: true
            reason: "too far: {distence}"
          - name: ordered test on text
            when: {state: {above: MA}}
            forbid: true
        """
    )
    assert errors == [
        "new.yaml:6: rules[0].when.distanse_miles: unknown fact 'distanse_miles' (did you mean "
        "distance_miles?); facts are: " + ", ".join(FACTS),
        "new.yaml:9: rules[1].when.distance_miles.over: unknown test 'over' (did you mean above?); "
        "tests are: "
        "equals, not_equals, in, not_in, known, above, at_least, below, at_most",
        "new.yaml:9: rules[1].when.storage: 'chilled' is not a storage class; use one of "
        "ambient, controlled_room, refrigerated, frozen",
        "new.yaml:12: rules[2].when.distance_miles.above: no setting 'radious' in this rule "
        "set's settings",
        "new.yaml:14: rules[3]: give exactly one action: forbid, allow_only, require or hold",
        "new.yaml:18: rules[4].require[0]: unknown option 'saturday'; use adult_signature, "
        "saturday_delivery, dry_ice, hazmat, insurance",
        "new.yaml:20: rules[5].when: a hold rule can test order facts only",
        "new.yaml:24: rules[6].reason: unknown placeholder {distence}; use a fact, a setting "
        "or {candidate}",
        "new.yaml:26: rules[7].when.state.above: above compares numbers or times; state is a text",
    ]


def test_each_error_is_listed_once_in_line_order() -> None:
    errors = _errors(
        """\
        name: winter
        settings:
          radius: 50
          first_snow: 2026-02-30
          cold_states: [MN, {WI: 1}]
        rules:
          - name: too far
            when: {distance_miles: {above: $radius}, state: {in: $cold_states}}
            forbid: true
            reason: "no courier after {first_snow}"
          - name: storage typo
            when: {storge: frozen}
            require: [saturday]
          - name: !!int one
            hold: !!bool maybe
          - name: placeholder typo
            forbid: true
            reason: "{radius} miles to {nowhere}"
        """
    )
    # Lines 4, 14 and 15 are the loader's and come in their place, not first; what uses the
    # broken settings (lines 8 and 10) and what would repeat the loader (a rule needs a name,
    # write hold: true) is not listed again.
    assert errors == [
        "new.yaml:4: settings.first_snow: not a valid value: day is out of range for month",
        "new.yaml:5: settings.cold_states: a list setting holds plain values only",
        "new.yaml:12: rules[1].when.storge: unknown fact 'storge' (did you mean storage?); "
        "facts are: " + ", ".join(FACTS),
        "new.yaml:13: rules[1].require[0]: unknown option 'saturday'; use adult_signature, "
        "saturday_delivery, dry_ice, hazmat, insurance",
        "new.yaml:14: rules[2].name: not a valid value: invalid literal for int() with base 10: "
        "'one'",
        "new.yaml:15: rules[2].hold: not a valid value: 'maybe' is not a valid bool",
        "new.yaml:18: rules[3].reason: unknown placeholder {nowhere}; use a fact, a setting or "
        "{candidate}",
    ]


def test_a_list_entry_that_could_not_be_read_is_reported_once_at_its_line() -> None:
    errors = _errors(
        """\
        name: cold
        rules:
          - name: frozen
            when:
              storage:
                - refrigerated
                - !!str [frozen]
                - chilled
            forbid: true
        """
    )
    assert errors == [
        "new.yaml:7: rules[0].when.storage[1]: not a valid value: could not determine a "
        "constructor for the tag 'tag:yaml.org,2002:str'",
        "new.yaml:8: rules[0].when.storage[2]: 'chilled' is not a storage class; use one of "
        "ambient, controlled_room, refrigerated, frozen",
    ]


def test_yaml_syntax_errors_name_the_line() -> None:
    assert _errors("name: x\nrules:\n  - name: a\n    when: {storage: frozen\n") == [
        "new.yaml:5: not valid YAML: while parsing a flow mapping, expected ',' or '}', but got "
        "'<stream end>'"
    ]


def test_duplicate_keys_and_rule_names_are_errors() -> None:
    errors = _errors(
        """\
        name: dup
        rules:
          - name: same
            forbid: true
            forbid: true
          - name: same
            forbid: true
        """
    )
    assert errors == [
        "new.yaml:5: rules[0].forbid: key given twice",
        "new.yaml:6: rules[1].name: repeats the rule of line 3",
    ]


def test_times_and_settings_are_typed() -> None:
    rules = load_rule_set(
        textwrap.dedent(
            """\
            name: evening
            settings: {late: "16:00"}
            rules:
              - name: late orders wait for a person
                when: {local_time: {at_least: $late}, storage: frozen}
                hold: true
                reason: "frozen order after {late}"
            """
        ),
        source="evening.yaml",
    )
    late_frozen = order(NEW_YORK, storage="frozen")
    evening = site(rules=rules.text)
    decision = decide(late_frozen, evening, [], at("2026-12-01T16:00"))
    assert decision.reasons[-1] == "Hold: frozen order after 16:00"
    early = decide(late_frozen, evening, [], at("2026-12-01T15:59"))
    assert "Hold: frozen order after 16:00" not in early.reasons


def test_site_errors_are_listed_with_lines() -> None:
    text = textwrap.dedent(
        """\
        name: bad
        timezone: Mars/Olympus
        postal_code: "02139"
        courier:
          base: 10
          per_mile: -1
          shifts:
            - {days: [mon], start: "18:00", end: "08:00"}
        carriers:
          - carrier: ups
            cutoff: "25:00"
        """
    )
    with pytest.raises(ConfigError) as raised:
        load_site_config(text, source="bad.yaml")
    errors = raised.value.errors
    assert errors[0] == "bad.yaml:2: timezone: unknown time zone 'Mars/Olympus'"
    assert errors[1].startswith("bad.yaml:6: courier.per_mile: ")
    assert errors[2] == "bad.yaml:8: courier.shifts[0]: end must be after start"
    assert errors[3].startswith("bad.yaml:11: carriers[0].cutoff: ")
    assert len(errors) == 4


def test_courier_drivers_are_checked_with_lines() -> None:
    text = textwrap.dedent(
        """\
        name: fleet
        timezone: America/New_York
        postal_code: "02139"
        courier:
          base: 10
          per_mile: 1
          shifts:
            - {name: day, days: [mon], start: "08:00", end: "18:00"}
          drivers:
            - {id: d1, shift: day, capacity: 10, skills: [cooler]}
            - {id: d1, shift: night, capacity: 10}
            - {id: d3, shift: day, capacity: 0, skills: [jetpack]}
        """
    )
    with pytest.raises(ConfigError) as raised:
        load_site_config(text, source="fleet.yaml")
    errors = raised.value.errors
    assert errors[0].startswith("fleet.yaml:12: courier.drivers[2].capacity: ")
    assert errors[1].startswith("fleet.yaml:12: courier.drivers[2].skills[0]: ")
    assert len(errors) == 2
    valid = text.replace("capacity: 0, skills: [jetpack]", "capacity: 5")
    with pytest.raises(ConfigError) as raised:
        load_site_config(valid, source="fleet.yaml")
    assert raised.value.errors == [
        "fleet.yaml:11: courier.drivers[1].shift: no shift named so (day)",
        "fleet.yaml:11: courier.drivers[1].id: appears twice",
    ]


def test_every_site_error_is_listed_once_by_file_then_line(tmp_path: Path) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "north.yaml").write_text(
        textwrap.dedent(
            """\
            name: south
            timezone: Mars/Olympus
            postal_code: "02139"
            rules: winter
            holidays:
              dates: [2026-12-24, 2026-02-30]
            courier:
              base: 10
              per_mile: -1
              shifts:
                - {days: [mon], start: "18:00", end: "08:00"}
            carriers:
              - carrier: ups
                cutoff: "25:00"
            """
        )
    )
    (tmp_path / "sites" / "east.yaml").write_text("name: east\ntimezone: UTC\n")
    with pytest.raises(ConfigError) as raised:
        load_catalog(tmp_path)
    east, north = tmp_path / "sites" / "east.yaml", tmp_path / "sites" / "north.yaml"
    # The name and rule-set checks do not wait for the rest of the file to be valid; the bad
    # date is not reported again as pydantic's "Input should be a valid date".
    assert raised.value.errors == [
        f"{east}:1: postal_code: required",
        f"{north}:1: name: 'south' differs from the file name 'north'",
        f"{north}:2: timezone: unknown time zone 'Mars/Olympus'",
        f"{north}:4: rules: no rule set file winter.yaml",
        f"{north}:6: holidays.dates[1]: not a valid value: day is out of range for month",
        f"{north}:9: courier.per_mile: Input should be greater than or equal to 0",
        f"{north}:11: courier.shifts[0]: end must be after start",
        f"{north}:14: carriers[0].cutoff: Input should be in a valid time format, hour value is "
        "outside expected range of 0-23",
    ]


def test_config_dir_overrides_and_adds_files(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "default.yaml").write_text(DEFAULT_RULES.replace("50", "25", 1))
    (tmp_path / "rules" / "strict.yaml").write_text("name: strict\nrules: []\n")
    catalog = load_catalog(tmp_path)
    assert set(catalog.rule_files) == {"default", "strict"}
    assert catalog.site("demo").rules.settings["courier_radius_miles"] == 25


def test_a_broken_config_dir_file_is_refused_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "north.yaml").write_text("name: south\ntimezone: UTC\n")
    with pytest.raises(ConfigError) as raised:
        load_catalog(tmp_path)
    north = tmp_path / "sites" / "north.yaml"
    assert raised.value.errors == [
        f"{north}:1: postal_code: required",
        f"{north}:1: name: 'south' differs from the file name 'north'",
    ]


def test_a_site_file_is_checked_against_its_name_and_rule_file_with_lines(tmp_path: Path) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "north.yaml").write_text(
        "# the north depot\nname: south\ntimezone: UTC\npostal_code: '02139'\nrules: winter\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_catalog(tmp_path)
    north = tmp_path / "sites" / "north.yaml"
    assert raised.value.errors == [
        f"{north}:2: name: 'south' differs from the file name 'north'",
        f"{north}:5: rules: no rule set file winter.yaml",
    ]


def test_a_broken_rule_set_a_site_uses_is_refused_when_the_catalog_loads(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    broken = tmp_path / "rules" / "default.yaml"
    broken.write_text("name: default\nrules:\n  - name: Late\n    when: {nonsense: 1}\n")
    with pytest.raises(ConfigError) as raised:
        load_catalog(tmp_path)
    # Before, the catalog loaded and every order of the site became a hold saying that no site
    # serves its connector.
    assert [e.partition(";")[0] for e in raised.value.errors] == [
        f"{broken}:3: rules[0]: give exactly one action: forbid, allow_only, require or hold",
        f"{broken}:4: rules[0].when.nonsense: unknown fact 'nonsense'",
    ]


def test_a_broken_rule_set_no_site_uses_waits_until_it_is_used(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    draft = tmp_path / "rules" / "draft.yaml"
    draft.write_text("name: draft\nrules: [1]\n")
    catalog = load_catalog(tmp_path)
    assert catalog.site("demo").rules.name == "default"
    with pytest.raises(ConfigError) as raised:
        catalog.rule_set("draft")
    assert raised.value.errors[0].startswith(f"{draft}:2: rules[0]")


def test_values_are_data_never_code() -> None:
    rules = load_rule_set(
        textwrap.dedent(
            """\
            name: hostile
            settings: {odd: "MA) or (True"}
            rules:
              - name: odd state
                when: {state: $odd, postal_code: "__import__('os')"}
                hold: true
            """
        ),
        source="hostile.yaml",
    )
    decision = decide(order(NEW_YORK), site(rules=rules.text), [], at("2026-12-01T10:00"))
    assert decision.delivery_type == "courier"  # the hold rule did not fire
    assert not any(reason.startswith("Hold") for reason in decision.reasons)
