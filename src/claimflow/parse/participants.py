"""Participant files: the program's member list (id, names, tier, enrolment)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from claimflow.errors import UnreadableInput
from claimflow.models import Participant, Provenance
from claimflow.parse.csvfile import mapped_table
from claimflow.values import DateOrder, parse_date

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
    "taxformon": "tax_form_on",
    "taxid": "tax_id",
    "effectivefrom": "effective_from",
}
#: The columns read as dates, in the client's (or the file's) date order.
DATE_FIELDS = ("enrolled_on", "tax_form_on", "effective_from")


def read_participants(
    path: str | Path, client: str, date_order: DateOrder = "YMD"
) -> Iterator[Participant]:
    """Stream participants from a CSV with a header row.

    Ids stay text (leading zeros survive); ``enrolled_on``, ``tax_form_on``
    (the day a tax form was received) and ``effective_from`` (the day the
    row's tier, status and dates took effect) are read in `date_order` (the
    client's, or the file's own), ISO dates in any order.

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
            for field in DATE_FIELDS:
                keyed = values.pop(field, None)
                if keyed:
                    day = parse_date(str(keyed).strip(), date_order)
                    if isinstance(day, str):
                        raise ValueError(f"{field}: {day}")
                    values[field] = day
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
