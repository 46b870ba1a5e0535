"""Participant files: the program's member list (id, names, tier, enrolment)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from claimflow.errors import UnreadableInput
from claimflow.models import Participant, Provenance
from claimflow.parse.csvfile import mapped_table

COLUMNS = {
    "participantid": "id",
    "memberid": "id",
    "membernumber": "id",
    "id": "id",
    "firstname": "first_name",
    "lastname": "last_name",
    "email": "email",
    "company": "company",
    "dealer": "company",
    "tier": "tier",
    "status": "status",
    "enrolledon": "enrolled_on",
    "enrolled": "enrolled_on",
}


def read_participants(path: str | Path, client: str) -> Iterator[Participant]:
    """Stream participants from a CSV with a header row.

    Ids stay text (leading zeros survive); ``enrolled_on`` is an ISO date.

    Raises:
        UnreadableInput: the file is unreadable, has no id column, or a row
            has a bad value (named by row and column).

    Example: ``list(read_participants("samples/acme-tools/participants.csv", "acme-tools"))``
    """
    name = str(path)
    fields, rows = mapped_table(Path(path), COLUMNS)
    if "id" not in fields:
        raise UnreadableInput(name, "expected a participant_id column", "row 1")
    for row_no, text in rows:
        values: dict[str, object] = dict(text)
        try:
            enrolled = values.pop("enrolled_on", None)
            if enrolled:
                values["enrolled_on"] = date.fromisoformat(str(enrolled))
            yield Participant.model_validate(
                {
                    "client": client,
                    "provenance": Provenance(file=name, row=row_no),
                    **{k: v for k, v in values.items() if v not in (None, "")},
                }
            )
        except (ValueError, ValidationError) as exc:
            detail = str(exc).splitlines()[0]
            raise UnreadableInput(
                name, f"bad participant: {detail}", f"row {row_no}"
            ) from None
