"""Console users: scrypt passwords, lockout, idle sessions, and the patient-access record."""

from finalmile.users.models import ConsoleSession, ConsoleUser, PatientView
from finalmile.users.service import (
    ConsoleUserInfo,
    SignInOutcome,
    SignInPolicy,
    create_user,
    current_user,
    list_users,
    password_matches,
    patient_views,
    record_patient_view,
    reset_password,
    sign_in,
    sign_out,
)

__all__ = [
    "ConsoleSession",
    "ConsoleUser",
    "ConsoleUserInfo",
    "PatientView",
    "SignInOutcome",
    "SignInPolicy",
    "create_user",
    "current_user",
    "list_users",
    "password_matches",
    "patient_views",
    "record_patient_view",
    "reset_password",
    "sign_in",
    "sign_out",
]
