"""A partner's credit statement (CSV or xlsx) read into typed `PartnerCredit` lines.

The header is mapped through the statement aliases below plus the
partner's own ``statement_columns``; values written as text are read in
the client's locale exactly as claims are (`claimflow.values`: dates in the
client's ``date_order``, numbers in its number locale or the file type's
``file_number_locales``); typed xlsx cells are taken as they are. A row
that cannot be read stops the reading with one line naming the file, row
and field: nothing is reconciled from a statement read in part. A total
row (``Total``, ``Summe``... and no member number) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from claimflow.accounts.partner_settings import PartnerSettings
from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import normalize_label
from claimflow.models import Provenance
from claimflow.parse.common import TOTAL
from claimflow.parse.tables import read_table
from claimflow.validate import context_for
from claimflow.values import KeyedDate, KeyedInt, KeyedText

#: Statement field -> the header names read as it (folded when compared).
STATEMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "reference": (
        "reference",
        "transfer reference",
        "partner reference",
        "ref",
        "transaction reference",
        "referencia",
        "referencia de transferencia",
    ),
    "member_number": (
        "member number",
        "member",
        "membership number",
        "frequent flyer number",
        "ffp number",
        "numero de socio",
        "nº socio",
        "socio",
    ),
    "points": ("points", "points transferred", "puntos", "puntos transferidos"),
    "miles": ("miles", "miles credited", "millas", "millas abonadas"),
    "credited_on": (
        "credited on",
        "credit date",
        "date",
        "fecha",
        "fecha de abono",
        "fecha abono",
    ),
}
_REQUIRED = ("member_number", "miles", "credited_on")


@dataclass(frozen=True)
class CreditLine:
    """A statement line with every required value present (what matching reads).

    Attributes:
        row: the row in the statement.
        reference: the transfer reference the partner echoes, if given.
        member_number: the partner account credited.
        points: the points the partner says it received, if given.
        miles: the miles credited.
        credited_on: the day they were credited.
    """

    row: int
    reference: str | None
    member_number: str
    points: int | None
    miles: int
    credited_on: date


class PartnerCredit(BaseModel):
    """One line of a partner's credit statement: miles credited to a member.

    Attributes:
        reference: the transfer reference the partner echoes back, if given.
        member_number: the partner account credited.
        points: the points the partner says it received, if given.
        miles: the miles credited.
        credited_on: the day the partner credited them.
        provenance: the statement file and row.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    reference: KeyedText = None
    member_number: KeyedText
    points: KeyedInt = None
    miles: KeyedInt
    credited_on: KeyedDate
    provenance: Provenance


def _index(partner: PartnerSettings) -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in STATEMENT_ALIASES.items():
        for alias in (name, *aliases):
            index[normalize_label(alias)] = name
    for field, extra in partner.statement_columns.items():
        for alias in extra:
            index[normalize_label(alias)] = field
    return index


def _is_total(values: dict[str, object]) -> bool:
    if values.get("member_number"):
        return False
    return any(isinstance(v, str) and TOTAL.match(v) for v in values.values())


def read_statement(
    path: str | Path, client: ResolvedClient, partner: PartnerSettings
) -> list[CreditLine]:
    """Every credit line of a partner statement, typed in the client's locale.

    Raises:
        UnreadableInput: the file cannot be read, a required column is
            missing, or a row has a value that cannot be read (named by row
            and field).

    Example: ``read_statement("samples/costa-azul/partners/vuelaclub_noviembre.csv",
    client, client.config.partners["vuelaclub"])``
    """
    path = Path(path)
    name = str(path)
    fields, rows = read_table(path, _index(partner))
    missing = [f for f in _REQUIRED if f not in fields]
    if missing:
        raise UnreadableInput(
            name,
            f"expected a column for {', '.join(missing)} (headers such as "
            + "; ".join(f"{f}: {STATEMENT_ALIASES[f][0]!r}" for f in missing)
            + "), found none",
            "row 1",
        )
    context = context_for(client).for_file(name)
    credits = []
    for row_no, values in rows:
        if _is_total(values):
            continue
        where = Provenance(file=name, row=row_no)
        try:
            credit = PartnerCredit.model_validate(
                {**values, "provenance": where}, context=context
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(map(str, error["loc"]))
            found = values.get(field)
            detail = error["msg"]
            if found is not None and str(found) not in detail:
                detail += f" ({found!r})"
            raise UnreadableInput(name, detail, f"row {row_no}:{field}") from None
        problem = _incomplete(credit)
        if problem is not None:
            raise UnreadableInput(name, problem[1], f"row {row_no}:{problem[0]}")
        assert credit.member_number and credit.miles is not None and credit.credited_on
        credits.append(
            CreditLine(
                row_no,
                credit.reference,
                credit.member_number,
                credit.points,
                credit.miles,
                credit.credited_on,
            )
        )
    return credits


def _incomplete(credit: PartnerCredit) -> tuple[str, str] | None:
    """(field, message) for a line without a required value or with a negative one."""
    for field in _REQUIRED:
        if getattr(credit, field) is None:
            return field, "expected a value, found none"
    for field in ("miles", "points"):
        value = getattr(credit, field)
        if value is not None and value < 0:
            return field, f"expected 0 or more, found {value}"
    return None


def statement_day(credits: list[CreditLine]) -> date | None:
    """The statement's last credit day (what it covers up to), if any line."""
    return max((c.credited_on for c in credits), default=None)
