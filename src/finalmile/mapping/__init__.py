"""Mappings: adapter output to the canonical DispatchOrder, one profile per connector."""

from finalmile.mapping.codes import MappingCode
from finalmile.mapping.csv import CsvOrder, CsvRejection, iter_orders
from finalmile.mapping.csv_profile import CsvProfile
from finalmile.mapping.fhir_profile import FhirProfile, Resolver
from finalmile.mapping.hl7v2 import Hl7Profile, decode_and_map
from finalmile.mapping.identifiers import check_identifier
from finalmile.mapping.intent import OrderAction, OrderIntent
from finalmile.mapping.zones import TimeZoneName

__all__ = [
    "CsvOrder",
    "CsvProfile",
    "CsvRejection",
    "FhirProfile",
    "Hl7Profile",
    "MappingCode",
    "OrderAction",
    "OrderIntent",
    "Resolver",
    "TimeZoneName",
    "check_identifier",
    "decode_and_map",
    "iter_orders",
]
