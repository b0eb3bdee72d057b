"""HL7 v2, FHIR R4 and CSV over HTTP; what their views ask the process for is typed here."""

from typing import Annotated

from fastapi import Depends

from finalmile.config import Settings
from finalmile.deps import provided
from finalmile.intake import FileIntake, IntakeService

SettingsDep = Annotated[Settings, Depends(provided(Settings))]
IntakeDep = Annotated[IntakeService, Depends(provided(IntakeService))]
FilesDep = Annotated[FileIntake, Depends(provided(FileIntake))]
