"""Acceptance limits per storage class, and the site's overrides of them.

The ranges are the labelled storage conditions (USP <659>): refrigerated 2-8 °C, frozen -25 to
-10 °C, controlled room temperature 20-25 °C with excursions between 15 and 30 °C permitted and a
mean kinetic temperature of at most 25 °C. The minute limits are site policy: starting points to
set from each product's stability data (``FINALMILE_TEMPERATURE_LIMITS``, docs/temperature.md).

Limits are keyed by the storage class's value (``canonical.StorageClass``, a ``StrEnum``,
indexes them directly), so settings validate them without loading the order model.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from finalmile.errors import ConfigError


class ClassLimits(BaseModel):
    """What a log must keep to for one storage class (°C and minutes; None: no limit).

    An *excursion* is time outside the allowed band (``allowed_low``..``allowed_high``, which
    defaults to the labelled range ``low``..``high``). Time outside the labelled range but inside
    the band counts against time in range only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    low: float | None = Field(default=None, description="Labelled range, lower end (°C)")
    high: float | None = Field(default=None, description="Labelled range, upper end (°C)")
    allowed_low: float | None = Field(default=None, description="Excursion band, lower end")
    allowed_high: float | None = Field(default=None, description="Excursion band, upper end")
    max_single_minutes: float | None = Field(
        default=None, ge=0, description="Longest permitted single excursion"
    )
    max_cumulative_minutes: float | None = Field(
        default=None, ge=0, description="Longest permitted total of all excursions"
    )
    max_mkt: float | None = Field(default=None, description="Highest permitted mean kinetic °C")

    @model_validator(mode="after")
    def _ordered(self) -> ClassLimits:
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError("low must be below high")
        if self.allowed_low is not None and self.low is not None and self.allowed_low > self.low:
            raise ValueError("allowed_low must not be above low")
        if (
            self.allowed_high is not None
            and self.high is not None
            and self.allowed_high < self.high
        ):
            raise ValueError("allowed_high must not be below high")
        return self

    @property
    def band(self) -> tuple[float | None, float | None]:
        """The allowed band: outside it is an excursion."""
        low = self.allowed_low if self.allowed_low is not None else self.low
        high = self.allowed_high if self.allowed_high is not None else self.high
        return low, high

    @property
    def has_range(self) -> bool:
        """Whether any temperature limit applies (ambient has none unless configured)."""
        return any(v is not None for v in (self.low, self.high, *self.band, self.max_mkt))


#: The labelled limits per storage class, in ``StorageClass`` order (warmest first).
DEFAULT_LIMITS: dict[str, ClassLimits] = {
    "ambient": ClassLimits(),
    "controlled_room": ClassLimits(
        low=20.0,
        high=25.0,
        allowed_low=15.0,
        allowed_high=30.0,
        max_single_minutes=60,
        max_cumulative_minutes=120,
        max_mkt=25.0,
    ),
    "refrigerated": ClassLimits(
        low=2.0, high=8.0, max_single_minutes=30, max_cumulative_minutes=60, max_mkt=8.0
    ),
    "frozen": ClassLimits(low=-25.0, high=-10.0, max_single_minutes=30, max_cumulative_minutes=60),
}


def resolve_limits(
    overrides: Mapping[str, Mapping[str, float | None]],
) -> dict[str, ClassLimits]:
    """The default limits with the site's ``overrides`` (class -> fields) applied.

    Raises:
        ConfigError: an unknown class or field, or limits out of order; every problem listed.
    """
    problems: list[str] = []
    limits = dict(DEFAULT_LIMITS)
    for name, fields in overrides.items():
        if name not in limits:
            known = ", ".join(DEFAULT_LIMITS)
            problems.append(
                f"FINALMILE_TEMPERATURE_LIMITS: unknown storage class {name!r} ({known})"
            )
            continue
        try:
            merged = {**limits[name].model_dump(), **fields}
            limits[name] = ClassLimits.model_validate(merged)
        except ValidationError as exc:
            problems.extend(
                f"FINALMILE_TEMPERATURE_LIMITS.{name}"
                + "".join(f".{part}" for part in e["loc"])
                + f": {e['msg']}"
                for e in exc.errors()
            )
    if problems:
        raise ConfigError(problems)
    return limits
