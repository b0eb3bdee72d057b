"""Sites and rule sets from YAML files: the embedded defaults, overridden by ``<config_dir>``.

``<config_dir>/sites/*.yaml`` and ``<config_dir>/rules/*.yaml`` replace embedded files of the same
name and add new ones. Every problem in every file is reported at once (``ConfigError``), file by
file and each file's by line: the site files, then the rule-set files the sites use (a file no
site names is checked when it is first used, by ``rules simulate`` or ``decide --rules``).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from finalmile.config import YamlDocument, load_yaml, read_source
from finalmile.errors import ConfigError
from finalmile.geo import Geocoder
from finalmile.rules.ruleset import RuleSet, load_rule_set
from finalmile.rules.site import Site
from finalmile.rules.site_config import SiteConfig


@dataclass(frozen=True)
class RuleFile:
    """The text of a rule-set file and where it came from."""

    name: str
    text: str
    source: str


@dataclass(frozen=True)
class Catalog:
    """Every configured site and rule-set file, by name; ``used`` holds the rule sets the sites
    name, compiled when the catalog was loaded."""

    sites: dict[str, SiteConfig]
    rule_files: dict[str, RuleFile]
    used: dict[str, RuleSet]

    def site_config(self, name: str | None = None, *, connector: str | None = None) -> SiteConfig:
        """The site called ``name``; else the one serving ``connector``; else the only site.

        Raises:
            ConfigError: no such site, or several sites and nothing to choose between them.
        """
        if name is not None:
            if name not in self.sites:
                raise ConfigError([f"no site {name!r}; sites: {', '.join(sorted(self.sites))}"])
            return self.sites[name]
        if connector is not None:
            for config in self.sites.values():
                if connector in config.connectors:
                    return config
        if len(self.sites) == 1:
            return next(iter(self.sites.values()))
        raise ConfigError(
            [f"no dispensing site serves connector {connector!r} (several sites, none lists it)"]
        )

    def rule_set(self, name: str) -> RuleSet:
        """The rule set of file ``<name>.yaml``, validated (not yet activated)."""
        if name in self.used:
            return self.used[name]
        if name not in self.rule_files:
            raise ConfigError([f"no rule set {name!r}; have: {', '.join(sorted(self.rule_files))}"])
        found = self.rule_files[name]
        return load_rule_set(found.text, source=found.source)

    def site(
        self,
        name: str | None = None,
        *,
        connector: str | None = None,
        rules: RuleSet | None = None,
        geocoder: Geocoder | None = None,
    ) -> Site:
        """A ready site, under ``rules`` or its configured rule-set file."""
        config = self.site_config(name, connector=connector)
        return Site(config, rules or self.rule_set(config.rules), geocoder)


def load_catalog(config_dir: Path | None) -> Catalog:
    """The embedded defaults overlaid with ``config_dir`` (when given)."""
    sources: dict[str, dict[str, tuple[str, str]]] = {"sites": {}, "rules": {}}
    embedded = resources.files("finalmile.config.defaults")
    for kind, files in sources.items():
        for entry in embedded.joinpath(kind).iterdir():
            if entry.name.endswith(".yaml"):
                files[entry.name[:-5]] = (
                    entry.read_text("utf-8"),
                    f"(embedded) {kind}/{entry.name}",
                )
        if config_dir is not None and (config_dir / kind).is_dir():
            for path in sorted((config_dir / kind).glob("*.yaml")):
                files[path.stem] = (read_source(path), str(path))
    rule_files = {
        stem: RuleFile(stem, text, source) for stem, (text, source) in sources["rules"].items()
    }
    read: list[YamlDocument | ConfigError] = []
    sites: dict[str, SiteConfig] = {}
    for stem, (text, source) in sorted(sources["sites"].items()):
        try:
            document = load_yaml(text, source=source)
        except ConfigError as exc:
            read.append(exc)
            continue
        read.append(document)
        config = _site(document)
        _check_names(document, stem, rule_files)
        if config is not None:
            sites[config.name] = config
    used: dict[str, RuleSet] = {}
    for name in sorted({config.rules for config in sites.values()} & rule_files.keys()):
        try:
            used[name] = load_rule_set(rule_files[name].text, source=rule_files[name].source)
        except ConfigError as exc:
            read.append(exc)
    errors = [error for each in read for error in each.errors]
    if errors:
        raise ConfigError(errors)
    return Catalog(sites=sites, rule_files=rule_files, used=used)


def load_site_config(text: str, *, source: str) -> SiteConfig:
    """Validate a site file.

    Raises:
        ConfigError: every problem, each with ``file:line``, by line.
    """
    document = load_yaml(text, source=source)
    config = _site(document)
    document.raise_errors()
    assert config is not None  # a site that did not validate has problems
    return config


def _site(document: YamlDocument) -> SiteConfig | None:
    """The site, or None with its problems reported to ``document``."""
    config = document.validate(SiteConfig)
    if config is not None:
        _check_drivers(document, config)
    return config


def _check_names(document: YamlDocument, stem: str, rule_files: dict[str, RuleFile]) -> None:
    """The site is named as its file, and its rule set has a file (checked even when other
    settings of the site are wrong, so that every problem shows at once)."""
    name = document.text_at(("name",))
    if name is not None and name != stem:
        document.report(("name",), f"{name!r} differs from the file name {stem!r}")
    rules = document.text_at(("rules",))
    if rules is not None and rules not in rule_files:
        document.report(("rules",), f"no rule set file {rules}.yaml")


def _check_drivers(document: YamlDocument, config: SiteConfig) -> None:
    """Each courier driver names a shift of the site, and no driver id repeats."""
    if config.courier is None:
        return
    shifts = {shift.name for shift in config.courier.shifts if shift.name}
    seen: set[str] = set()
    for i, driver in enumerate(config.courier.drivers):
        path = ("courier", "drivers", i)
        if driver.shift not in shifts:
            known = ", ".join(sorted(shifts)) or "none has a name"
            document.report((*path, "shift"), f"no shift named so ({known})")
        if driver.id in seen:
            document.report((*path, "id"), "appears twice")
        seen.add(driver.id)
