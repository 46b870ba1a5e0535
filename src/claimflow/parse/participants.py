"""Participant files: the program's member list (id, names, tier, enrolment).

Read as every reference table is (`claimflow.parse.tables`): CSV or xlsx,
the header found below a title line, its columns named by the defaults of
`claimflow.fields.PEOPLE_COLUMNS` or the client's own aliases
(``participant_columns``, and ``columns`` for ``participant_id``); a total
row after the last participant is left out with a note (a list has no
figures to sum, so one with a figure under a column is refused). A row whose
id, its digits of any script written 0-9, does not match the client's
``formats: participant_id:`` refuses the list, as a bad tier or date does:
a stray row (``Prepared by``, a note) or a slip (``10O2003``) would
otherwise become a member whom claims then match.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from claimflow.errors import UnreadableInput
from claimflow.fields import PEOPLE_COLUMNS, alias_index
from claimflow.keys import look_alike_note
from claimflow.models import Participant, Provenance
from claimflow.numbers import MACHINE, number_format
from claimflow.parse.tables import expected, read_table
from claimflow.patterns import BoundedPattern
from claimflow.values import DateOrder, other_calendar, parse_date
from claimflow.words import match_word

#: The people-file columns a participant record holds (the others, such as
#: a birth date or a phone, are for ``dedupe participants``; read, not kept).
FIELDS = {
    "participant_id": "id",
    **{
        name: name
        for name in (
            "first_name",
            "last_name",
            "email",
            "company",
            "tier",
            "status",
            "enrolled_on",
            "tax_form_on",
            "tax_id",
            "effective_from",
        )
    },
}
#: The columns read as dates, in the client's (or the file's) date order.
DATE_FIELDS = ("enrolled_on", "tax_form_on", "effective_from")


def read_participants(
    path: str | Path,
    client: str,
    date_order: DateOrder = "YMD",
    index: Mapping[str, str] | None = None,
    notes: list[str] | None = None,
    encoding: str | None = None,
    declared_by: str = "the client",
    tiers: Collection[str] = (),
    months: str = "en",
    id_format: BoundedPattern | None = None,
    solar_hijri: bool = False,
) -> Iterator[Participant]:
    """Stream participants from a CSV or xlsx list with a header row.

    Ids stay text (leading zeros survive); ``enrolled_on``, ``tax_form_on``
    (the day a tax form was received) and ``effective_from`` (the day the
    row's tier, status and dates took effect) are read in `date_order` (the
    client's, or the file's own), ISO dates in any order.

    Args:
        path: the file.
        client: the client key.
        date_order: how the file writes dates.
        index: folded header -> column (`ResolvedClient.people_index`;
            default: the built-in aliases).
        notes: where to add what was skipped (a title line, a total row).
        encoding: the CSV's text encoding (the client's ``encoding``, or one
            given for this file); None: detected.
        declared_by: who declared the encoding, for a refusal
            (`claimflow.sniff.encoding_origin`).
        tiers: the program's tiers (`claimflow.api.claims.program_tiers`):
            a row's tier must be one of them, in any case
            (`claimflow.words.match_word`); empty: any tier.
        months: the client's ``locale``: the month names a date may be
            written in, with English (``2024. március 11.``,
            `claimflow.written_dates`), how its tiers are written in
            capitals (``ALTIN`` is ``altın`` in tr_TR), and the letters a
            CSV list's names hold (`claimflow.sniff.detect_encoding`).
        id_format: the client's ``formats.participant_id``
            (`ResolvedClient.formats`): every id, its digits written 0-9,
            must match it; None: any id.
        solar_hijri: whether the desk writes the Solar Hijri calendar
            (`ResolvedClient.solar_hijri`): a Hijri year is named with its
            Solar Hijri conversion only then.

    Raises:
        UnreadableInput: the file is unreadable, has no id column, or a row
            has a bad value (named by row and column as headed), an id
            that does not match `id_format` among them.

    Example: ``list(read_participants("samples/acme-tools/participants.csv", "acme-tools"))``
    """
    name = str(path)
    table = read_table(
        Path(path), alias_index(PEOPLE_COLUMNS) if index is None else index,
        ("participant_id",), encoding, declared_by, months,
    )  # fmt: skip
    table.require(["participant_id"], {"participant_id": "participant_id"})
    for row_no, cells in table.rows:
        values: dict[str, object] = {
            FIELDS[f]: v for f, v in cells.items() if f in FIELDS
        }
        column = "participant_id"
        try:
            for column in DATE_FIELDS:
                keyed = values.pop(column, None)
                if keyed is None:
                    continue
                day = (
                    _member_date(keyed, date_order, months, solar_hijri)
                    if isinstance(keyed, str)
                    else keyed
                )
                if isinstance(day, date) and (why := other_calendar(day, solar_hijri)):
                    raise ValueError(f"expected a Gregorian date, found {day} ({why})")
                if isinstance(day, str):
                    raise ValueError(day)
                values[column] = day
            column = "tier"
            _known_tier(values.get("tier"), tiers, months)
            column = "participant_id"
            member = Participant.model_validate(
                {
                    "client": client,
                    "provenance": Provenance(file=name, row=row_no),
                    **{k: v if k in DATE_FIELDS else str(v) for k, v in values.items()},
                }
            )
            _id_format(member.id, values.get("id"), id_format)
            yield member
        except ValidationError as exc:
            error = exc.errors()[0]
            field = str(error["loc"][0]) if error["loc"] else "participant_id"
            column = "participant_id" if field == "id" else field
            raise UnreadableInput(
                name,
                expected(error["msg"], values.get(field)),
                table.where(row_no, column),
            ) from None
        except ValueError as exc:  # a date as `parse_date` words it
            raise UnreadableInput(name, str(exc), table.where(row_no, column)) from None
    table.check_totals({}, number_format(MACHINE))
    if notes is not None:
        notes.extend(table.notes)


def _member_date(
    text: str, date_order: DateOrder, months: str, solar_hijri: bool
) -> date | str:
    """A member list's date in `date_order`, or with its month named (as
    claims read theirs: `claimflow.written_dates`), or why it is neither."""
    day = parse_date(text, date_order, solar_hijri)
    if isinstance(day, str) and any(c.isalpha() for c in text):
        from claimflow.written_dates import named_month_date

        named = named_month_date(text, months, date_order)
        if named is not None:
            return named
    return day


def _id_format(
    pid: str, keyed: object, pattern: BoundedPattern | None
) -> None:
    """Refuse an id (`pid`, as `Participant` reads it: digits of any script
    written 0-9) that does not match the client's ``formats.participant_id``,
    as a claim's is refused (`claimflow.validate.record.rule_formats`)."""
    if pattern is None or pattern.fullmatch(pid):
        return
    raise ValueError(
        f"expected an id matching {pattern.key} {pattern.pattern!r}, "
        f"found {str(keyed)!r}{look_alike_note(pid, pattern)}"
    )


def _known_tier(tier: object, tiers: Collection[str], locale: str) -> None:
    """Refuse a tier the program does not know (`tiers`, in any case as
    `locale`'s language writes capitals: ``ALTIN`` is ``altın`` in tr_TR,
    as the tier bonus finds it): a member list's ``nieznany`` was taken in
    silently, and a tier bonus or a merge then met a tier it could not rank
    (trial 31)."""
    if not tiers or not isinstance(tier, str) or not tier.strip():
        return
    if match_word(tier, tiers, locale) is None:
        shown = ", ".join(sorted(tiers))
        raise ValueError(f"expected one of the program's tiers ({shown}), found {tier!r}")
