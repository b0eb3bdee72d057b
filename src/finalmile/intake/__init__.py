"""Intake: raw inbound message -> stored message + committed orders -> outcome for the ACK."""

from finalmile.intake.acks import refuse_oversize
from finalmile.intake.files import FileIntake, FileSummary
from finalmile.intake.models import ConnectorCursor
from finalmile.intake.outcome import Outcome, OutcomeKind
from finalmile.intake.prepare import PreparedMessage, prepare_hl7
from finalmile.intake.prepare_csv import CsvMessage, prepare_csv
from finalmile.intake.prepare_fhir import prepare_fhir
from finalmile.intake.service import IntakeService
from finalmile.intake.store import CursorUpdate, IntakeStore

__all__ = [
    "ConnectorCursor",
    "CsvMessage",
    "CursorUpdate",
    "FileIntake",
    "FileSummary",
    "IntakeService",
    "IntakeStore",
    "Outcome",
    "OutcomeKind",
    "PreparedMessage",
    "prepare_csv",
    "prepare_fhir",
    "prepare_hl7",
    "refuse_oversize",
]
