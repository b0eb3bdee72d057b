"""The configured connectors: profiles loaded and validated as a whole at startup.

``load_connectors`` reads the embedded ``default`` profile and every ``connectors/*.yaml`` of
``FINALMILE_CONFIG_DIR`` and refuses to start with a ``ConfigError`` listing every problem of
every file (with its line), plus the problems between files: two connectors with one name or one
MLLP port, a drop folder shared by two connectors, a default connector that does not exist. Each
file's problems, those between files included, are listed together and by line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from finalmile.config import Settings, YamlDocument, load_yaml, read_source
from finalmile.errors import ConfigError, InputError, NotFoundError
from finalmile.mapping import CsvProfile, FhirProfile, Hl7Profile
from finalmile.profiles.codes import ProfileCode
from finalmile.profiles.connector import ConnectorProfile


class ConnectorRegistry:
    """Connector profiles by name, and the default connector's name."""

    def __init__(self, profiles: Mapping[str, ConnectorProfile], *, default: str) -> None:
        self._profiles = dict(profiles)
        self.default = default

    @property
    def names(self) -> list[str]:
        """Every connector name, sorted."""
        return sorted(self._profiles)

    def get(self, name: str | None = None) -> ConnectorProfile:
        """The profile of ``name`` (default: the default connector).

        Raises:
            NotFoundError: no such connector.
        """
        key = name or self.default
        try:
            return self._profiles[key]
        except KeyError:
            known = ", ".join(self.names)
            raise NotFoundError(f"no connector named {key!r}; configured: {known}") from None

    def require(self, name: str | None, format_: str) -> ConnectorProfile:
        """The profile of ``name`` if it accepts ``format_`` (``hl7v2``, ``fhir`` or ``csv``).

        Raises:
            NotFoundError: no such connector.
            InputError: ``format_not_accepted``.
        """
        profile = self.get(name)
        if format_ not in profile.formats:
            raise _refused(profile, format_)
        return profile

    def hl7(self, name: str | None = None) -> Hl7Profile:
        """The HL7 v2 mapping of a connector; InputError when it does not accept HL7 v2."""
        profile = self.get(name)
        if profile.hl7v2 is None:
            raise _refused(profile, "hl7v2")
        return profile.hl7v2.mapping

    def fhir(self, name: str | None = None) -> FhirProfile:
        """The FHIR R4 mapping of a connector; InputError when it does not accept FHIR."""
        profile = self.get(name)
        if profile.fhir is None:
            raise _refused(profile, "fhir")
        return profile.fhir.mapping

    def csv(self, name: str | None = None) -> CsvProfile:
        """The CSV mapping of a connector; InputError when it does not accept CSV."""
        profile = self.get(name)
        if profile.csv is None:
            raise _refused(profile, "csv")
        return profile.csv.mapping

    def with_format(self, format_: str) -> list[ConnectorProfile]:
        """The connectors that accept ``format_`` (``hl7v2``, ``fhir`` or ``csv``)."""
        return [p for _, p in sorted(self._profiles.items()) if format_ in p.formats]


def _refused(profile: ConnectorProfile, format_: str) -> InputError:
    return InputError(
        f"connector {profile.name!r} does not accept {format_}; it accepts "
        f"{', '.join(profile.formats)}",
        code=ProfileCode.FORMAT_NOT_ACCEPTED,
    )


def load_connectors(settings: Settings) -> ConnectorRegistry:
    """Every connector profile for ``settings``, validated together.

    Raises:
        ConfigError: listing every problem found in every file, file by file in the order read
            (each file's by line), then the problems of the settings.
    """
    read: list[YamlDocument | ConfigError] = []
    found: dict[str, tuple[YamlDocument, ConnectorProfile]] = {}
    for label, text, stem in _sources(settings):
        try:
            document = load_yaml(text, source=label)
        except ConfigError as exc:
            read.append(exc)
            continue
        read.append(document)
        profile = _profile(document, stem, settings)
        if profile is not None:  # a config-dir file replaces the built-in one
            found[profile.name] = (document, profile)
    of_settings = _conflicts(found, settings)
    errors = [error for each in read for error in each.errors] + of_settings
    if errors:
        raise ConfigError(errors)
    return ConnectorRegistry(
        {name: profile for name, (_, profile) in found.items()}, default=settings.connector
    )


def _sources(settings: Settings) -> list[tuple[str, str, str]]:
    builtin = resources.files("finalmile.config") / "defaults" / "connectors" / "default.yaml"
    sources = [("(embedded) connectors/default.yaml", builtin.read_text("utf-8"), "default")]
    if settings.config_dir is not None:
        folder = settings.config_dir / "connectors"
        if not folder.is_dir():
            raise ConfigError([f"{folder}: the connectors folder does not exist"])
        for path in sorted(folder.glob("*.y*ml")):
            sources.append((str(path), read_source(path), path.stem))
    return sources


def _profile(document: YamlDocument, stem: str, settings: Settings) -> ConnectorProfile | None:
    """The profile of file ``stem``, or None with its problems reported to ``document``."""
    document.data.setdefault("name", stem)
    document.data.setdefault("timezone", settings.timezone)
    profile = document.validate(ConnectorProfile)
    name = document.text_at(("name",))  # checked even when other settings are wrong
    if name is not None and name != stem:
        document.report(("name",), f"{name!r} differs from the file name {stem!r}")
    if profile is None or document.failed(("name",)):
        return None
    if profile.csv and profile.csv.drop_folder and not profile.csv.drop_folder.path.is_absolute():
        base = settings.config_dir or Path.cwd()
        folder = profile.csv.drop_folder.model_copy(
            update={"path": base / profile.csv.drop_folder.path}
        )
        csv = profile.csv.model_copy(update={"drop_folder": folder})
        profile = profile.model_copy(update={"csv": csv})
    return profile


def _conflicts(
    found: dict[str, tuple[YamlDocument, ConnectorProfile]], settings: Settings
) -> list[str]:
    """Problems between files, reported to the files involved; returns those of the settings."""
    errors = []
    if settings.connector not in found:
        errors.append(
            f"FINALMILE_CONNECTOR: no connector named {settings.connector!r}; "
            f"configured: {', '.join(sorted(found))}"
        )
    ports = Counter[int]()
    if settings.mllp_port:
        ports[settings.mllp_port] += 1
    folders = Counter[Path]()
    for _, profile in found.values():
        if profile.hl7v2 and profile.hl7v2.mllp_port:
            ports[profile.hl7v2.mllp_port] += 1
        if profile.csv and profile.csv.drop_folder:
            folders[profile.csv.drop_folder.path.resolve()] += 1
    for document, profile in found.values():
        port = profile.hl7v2.mllp_port if profile.hl7v2 else None
        if port and ports[port] > 1:
            document.report(
                ("hl7v2", "mllp_port"),
                f"port {port} is also used by another connector or FINALMILE_MLLP_PORT",
            )
        folder = profile.csv.drop_folder if profile.csv else None
        if folder and folders[folder.path.resolve()] > 1:
            document.report(
                ("csv", "drop_folder", "path"), f"{folder.path} is used by another connector"
            )
    return errors
