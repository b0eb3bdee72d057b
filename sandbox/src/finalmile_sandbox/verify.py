"""Address verification against the offline ZIP table: deterministic, no street database.

An address verifies when it is in the US, has a street starting with a house number, and a known
ZIP whose state matches. A verified address is normalised the way carriers do (upper case, city
from the ZIP, ZIP+4 derived from the street so it is stable).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from finalmile.geo import ZipCentroids
from finalmile_sandbox.records import AddressCheck, AddressProblem, AddressRecord

ZIP_FORMAT = re.compile(r"\d{5}(-\d{4})?")


def _problem(code: str, shippo_code: str, field: str, message: str) -> AddressProblem:
    return AddressProblem(code=code, shippo_code=shippo_code, field=field, message=message)


def check_address(
    *, street1: str | None, state: str | None, zip_code: str | None, country: str | None
) -> AddressCheck:
    """Verify one address; ``problems`` is empty when it is deliverable."""
    problems: list[AddressProblem] = []
    if (country or "US").upper() != "US":
        problems.append(
            _problem("E.ADDRESS.NOT_FOUND", "verification_error", "country", "Not a US address")
        )
        return AddressCheck(problems=problems)
    street = (street1 or "").strip()
    if not street:
        problems.append(
            _problem("E.STREET.MISSING", "street_detail_missing", "street1", "Street is missing")
        )
    elif not street.split()[0][:1].isdigit():
        problems.append(
            _problem(
                "E.HOUSE_NUMBER.MISSING",
                "premise_number_missing",
                "street1",
                "House number is missing",
            )
        )
    info = ZipCentroids().locate(zip_code or "", "US")
    if info is None:
        code, shippo_code = (
            ("E.ZIP.NOT_FOUND", "postal_code_not_found")
            if ZIP_FORMAT.fullmatch((zip_code or "").strip())
            else ("E.ZIP.INVALID", "invalid_postal_code")
        )
        problems.append(_problem(code, shippo_code, "zip", "Invalid or unknown ZIP code"))
        problems.append(
            _problem("E.ADDRESS.NOT_FOUND", "verification_error", "address", "Address not found")
        )
        return AddressCheck(problems=problems)
    if state and state.strip().upper() != info.state:
        problems.append(
            _problem("E.ADDRESS.NOT_FOUND", "Invalid State", "state", "State does not match ZIP")
        )
    digest = hashlib.sha256(f"{street.upper()}|{info.postal_code}".encode()).digest()
    plus4 = int.from_bytes(digest[:4], "big") % 9999 + 1
    return AddressCheck(
        problems=problems,
        zip_plus4=f"{info.postal_code}-{plus4:04d}",
        city=(info.city or "").upper(),
        state=info.state,
        latitude=info.latitude,
        longitude=info.longitude,
        time_zone=info.timezone,
    )


def verified(address: AddressRecord) -> AddressRecord:
    """The address with its check; when deliverable, normalised as carriers do."""
    check = check_address(
        street1=address.street1,
        state=address.state,
        zip_code=address.zip,
        country=address.country,
    )
    update: dict[str, Any] = {"check": check}
    if check.ok:
        update |= {
            "name": address.name.upper() if address.name else None,
            "company": address.company.upper() if address.company else None,
            "street1": " ".join(filter(None, [address.street1, address.street2])).upper(),
            "street2": "",
            "city": check.city,
            "state": check.state,
            "zip": check.zip_plus4,
            "residential": address.residential if address.residential is not None else True,
        }
    return address.model_copy(update=update)
