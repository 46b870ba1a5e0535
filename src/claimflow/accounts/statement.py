"""A partner's credit statement (CSV or xlsx) read into typed `PartnerCredit` lines.

The header is mapped through the statement aliases below plus the
partner's own ``statement_columns``; values written as text are read in
the client's locale exactly as claims are (`claimflow.values`: dates in the
client's ``date_order``, numbers in its number locale or the file type's
``file_number_locales``); typed xlsx cells are taken as they are. A row
that cannot be read stops the reading with one line naming the file, row
and field (its header as written): nothing is reconciled from a statement
read in part. A title line above the header is skipped, and a total row
after the last line (``Summe``... and no member number or reference) is
left out only when its points and miles equal the lines' sums
(`claimflow.parse.tables`); the notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from claimflow.accounts.partner_settings import PartnerSettings
from claimflow.config import ResolvedClient
from claimflow.errors import UnreadableInput
from claimflow.fields import alias_index
from claimflow.models import Provenance
from claimflow.parse.tables import expected, read_table
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
    """Folded header -> statement field: the defaults, then the partner's own."""
    own = {str(field): aliases for field, aliases in partner.statement_columns.items()}
    return alias_index(STATEMENT_ALIASES, own)


@dataclass(frozen=True)
class Statement:
    """A partner statement read: its credit lines, and what was left out.

    Attributes:
        lines: every credit line, in file order.
        notes: a title line skipped, a total row checked and left out.
    """

    lines: list[CreditLine]
    notes: list[str] = dataclass_field(default_factory=list)


def read_statement(
    path: str | Path, client: ResolvedClient, partner: PartnerSettings
) -> Statement:
    """Every credit line of a partner statement, typed in the client's locale.

    Raises:
        UnreadableInput: the file cannot be read, a required column is
            missing, a row has a value that cannot be read (named by row and
            column), or a total row differs from the lines' sums.

    Example: ``read_statement("samples/costa-azul/partners/vuelaclub_noviembre.csv",
    client, client.config.partners["vuelaclub"]).lines``
    """
    path = Path(path)
    name = str(path)
    table = read_table(path, _index(partner), ("member_number", "reference"))
    table.require(_REQUIRED, {f: STATEMENT_ALIASES[f][0] for f in _REQUIRED})
    context = context_for(client).for_file(name)
    credits = []
    for row_no, values in table.rows:
        where = Provenance(file=name, row=row_no)
        try:
            credit = PartnerCredit.model_validate(
                {**values, "provenance": where}, context=context
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            column = ".".join(map(str, error["loc"]))
            detail = expected(error["msg"], values.get(column))
            raise UnreadableInput(name, detail, table.where(row_no, column)) from None
        problem = _incomplete(credit)
        if problem is not None:
            raise UnreadableInput(name, problem[1], table.where(row_no, problem[0]))
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
    sums = {
        "miles": Decimal(sum(c.miles for c in credits)),
        "points": Decimal(sum(c.points or 0 for c in credits)),
    }
    table.check_totals(sums, context.numbers)
    return Statement(credits, table.notes)


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
