"""Country codes for ship-to addresses: ISO 3166-1 alpha-2, as the canonical contract uses."""

from __future__ import annotations

DEFAULT_COUNTRY = "US"

# Alpha-3 codes PMSs send for the US, its territories and neighbours (HL7 XAD.6 and FHIR
# Address.country allow alpha-3); other values pass through upper-cased.
_ALPHA3 = {
    "USA": "US",
    "PRI": "PR",
    "VIR": "VI",
    "GUM": "GU",
    "ASM": "AS",
    "MNP": "MP",
    "UMI": "UM",
    "CAN": "CA",
    "MEX": "MX",
}


def to_alpha2(country: str | None) -> str:
    """``country`` as ISO alpha-2 (``"USA"`` -> ``"US"``); empty means the United States."""
    code = (country or "").strip().upper() or DEFAULT_COUNTRY
    return _ALPHA3.get(code, code)
