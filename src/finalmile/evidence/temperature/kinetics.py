"""Mean kinetic temperature (USP <1079.2>): the single temperature that would degrade a product
as much as the varying temperatures it actually saw.

    T_mk = (ΔH/R) / -ln( Σ wᵢ·exp(-(ΔH/R) / Tᵢ) / Σ wᵢ )

with temperatures in kelvin, ΔH/R = 10,000 K (ΔH = 83.144 kJ/mol) and each reading weighted by
the time it stands for (equal weights for evenly spaced readings, as USP writes it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

#: ΔH/R in kelvin: activation energy 83.144 kJ/mol over the gas constant 8.3144 J/(mol·K).
ACTIVATION_KELVIN = 10_000.0
ZERO_CELSIUS_KELVIN = 273.15


def mean_kinetic_temperature(samples: Iterable[tuple[float, float]]) -> float:
    """The MKT in °C of ``(celsius, weight)`` samples (weights: any positive durations).

    Raises:
        ValueError: no sample has a positive weight.
    """
    total_weight = 0.0
    weighted = 0.0
    for celsius, weight in samples:
        if weight <= 0:
            continue
        kelvin = celsius + ZERO_CELSIUS_KELVIN
        weighted += weight * math.exp(-ACTIVATION_KELVIN / kelvin)
        total_weight += weight
    if total_weight == 0:
        raise ValueError("mean kinetic temperature needs at least one weighted sample")
    return ACTIVATION_KELVIN / -math.log(weighted / total_weight) - ZERO_CELSIUS_KELVIN
