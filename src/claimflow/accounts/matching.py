"""Matching a partner's credit statement to the transfers: pure, no store.

`match_credits` matches each statement line to a transfer as verification
matches a claim to its source record (`claimflow.verify.match`): by its
reference exactly after normalising (case, spaces, dashes, leading zeros:
`normalize_key`), then, failing that, a keying slip away (`key_distance`
within the client's ``verification.max_key_edits``) among the transfers to
the same member number still awaiting their credit, when the line's miles
or points bear it out (a reference two slips away with other points and
miles is another credit, not this transfer's); a line without a reference
matches the one open transfer to its member number. Every fault
is a `Finding` with a `PartnerReason` code; a transfer due for credit that
no line (of this or an earlier statement) credits is a missing credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from fractions import Fraction

from claimflow.accounts.partner_settings import PartnerSettings, check_member_number
from claimflow.accounts.statement import CreditLine
from claimflow.keys import normalize_key
from claimflow.shown import format_points, plural
from claimflow.store.partners import TransferRow
from claimflow.verify.match import key_distance


class PartnerReason(StrEnum):
    """Why a statement line or a transfer needs a person. Values are stable."""

    MISSING_CREDIT = "missing_credit"
    WRONG_RATIO = "wrong_ratio"
    POINTS_MISMATCH = "points_mismatch"
    DUPLICATE_CREDIT = "duplicate_credit"
    CREDIT_WITHOUT_TRANSFER = "credit_without_transfer"
    UNKNOWN_MEMBER = "unknown_member"
    WRONG_MEMBER = "wrong_member"
    AMBIGUOUS_CREDIT = "ambiguous_credit"

    @property
    def description(self) -> str:
        """One line for people (the README table)."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    PartnerReason.MISSING_CREDIT: "a transfer due for credit that no statement credits",
    PartnerReason.WRONG_RATIO: "miles credited differ from the transfer's miles",
    PartnerReason.POINTS_MISMATCH: "the partner's points differ from the transfer's",
    PartnerReason.DUPLICATE_CREDIT: "a transfer credited a second time",
    PartnerReason.CREDIT_WITHOUT_TRANSFER: (
        "a credit to one of our members that matches no transfer"
    ),
    PartnerReason.UNKNOWN_MEMBER: (
        "a credit to a member number we never transferred to, or not in the "
        "partner's format"
    ),
    PartnerReason.WRONG_MEMBER: "a transfer credited to another member number",
    PartnerReason.AMBIGUOUS_CREDIT: "a credit a keying slip away from several transfers",
}


@dataclass(frozen=True)
class Finding:
    """One fault: its code, where, which transfer, and expected vs found.

    Attributes:
        code: the reason.
        message: ``row 5: expected ..., found ...`` for people.
        row: the statement row, or None (a missing credit).
        transfer_id: the transfer concerned, if any.
        reference: that transfer's reference, or the line's.
    """

    code: PartnerReason
    message: str
    row: int | None = None
    transfer_id: int | None = None
    reference: str | None = None

    def subject(self, digest: str) -> str:
        """What the finding is about, unique per code: a statement row, or a
        transfer (a missing credit stays one case over many statements)."""
        if self.row is None:
            return f"transfer {self.transfer_id}"
        return f"statement {digest[:16]} row {self.row}"

    def to_dict(self) -> dict[str, object]:
        """As plain data."""
        return {**asdict(self), "code": self.code.value}


@dataclass(frozen=True)
class LineMatch:
    """What one statement line matched: a transfer (or none) and the result.

    Attributes:
        line: the statement line.
        transfer_id: the transfer matched, or None.
        result: ``credited``, or the first finding's code.
        note: how it matched (``keying slip: CAZ-VC-0010 for CAZ-VC-0001``).
    """

    line: CreditLine
    transfer_id: int | None
    result: str
    note: str = ""


@dataclass
class _State:
    """What matching has seen so far: transfers matched in this statement."""

    by_key: dict[str, TransferRow]
    matched: dict[int, int] = field(default_factory=dict)  # transfer -> row
    locale: str = "en_US"  # the desk's: figures in messages as its people read them

    def n(self, value: int) -> str:
        """A count of points or miles as the desk writes it (``6 000``)."""
        return format_points(value, self.locale)


def _day(instant: str, zone: tzinfo) -> date:
    return datetime.fromisoformat(instant).astimezone(zone).date()


def _find(
    line: CreditLine,
    transfers: Sequence[TransferRow],
    state: _State,
    credited: dict[int, tuple[str, int]],
    max_edits: int,
) -> tuple[list[TransferRow], str]:
    """The transfers a line may credit, and how they were found (``""``: exactly).

    Only the exact reference may point at a transfer credited already (a
    duplicate); a keying slip or the member number alone is looked for
    among the transfers still awaiting their credit.
    """
    if line.reference:
        exact = state.by_key.get(normalize_key(line.reference))
        if exact is not None:
            return [exact], ""
    member = normalize_key(line.member_number)
    open_ = [
        t
        for t in transfers
        if normalize_key(t.member_number) == member
        and t.id not in state.matched
        and t.id not in credited
    ]
    if not line.reference:
        found = [t for t in open_ if t.miles == line.miles] or open_
        return found, "member number"
    if max_edits == 0:
        return [], ""
    close = [
        (key_distance(line.reference, t.reference), t)
        for t in open_
        if t.miles == line.miles or line.points == t.points
    ]
    close = [(d, t) for d, t in close if d <= max_edits]
    best = min((d for d, _ in close), default=None)
    return [t for d, t in close if d == best], "keying slip"


def _line_findings(
    line: CreditLine,
    transfer: TransferRow,
    state: _State,
    credited: dict[int, tuple[str, int]],
    partner: PartnerSettings,
) -> list[Finding]:
    where = f"row {line.row}"
    ref = transfer.reference
    first = state.matched.get(transfer.id)
    if first is not None or transfer.id in credited:
        before = (
            f"row {first}"
            if first is not None
            else "{} row {}".format(*credited[transfer.id])
        )
        return [
            Finding(
                PartnerReason.DUPLICATE_CREDIT,
                f"{where}: expected transfer {ref} credited once, found it "
                f"credited again ({state.n(line.miles)} miles; first on {before})",
                line.row,
                transfer.id,
                ref,
            )
        ]
    findings = []
    if normalize_key(line.member_number) != normalize_key(transfer.member_number):
        findings.append(
            Finding(
                PartnerReason.WRONG_MEMBER,
                f"{where}: expected transfer {ref} credited to member "
                f"{transfer.member_number}, found {line.member_number}",
                line.row,
                transfer.id,
                ref,
            )
        )
    if line.points is not None and line.points != transfer.points:
        findings.append(
            Finding(
                PartnerReason.POINTS_MISMATCH,
                f"{where}: expected {state.n(transfer.points)} "
                f"{plural(transfer.points, 'point')} for transfer {ref}, "
                f"found {state.n(line.points)}",
                line.row,
                transfer.id,
                ref,
            )
        )
    # Miles that are the partner's own points at the program's ratio are no
    # ratio fault: the points are (trial 36: 6,000 points credited as 2,400
    # miles were called "25/12 points per mile applied", our 5,000 points
    # over their miles).
    if line.miles != transfer.miles and (
        line.points is None
        or line.points == transfer.points
        or line.miles != partner.miles(line.points).total
    ):
        findings.append(_wrong_ratio(line, transfer, state))
    return findings


def _wrong_ratio(line: CreditLine, transfer: TransferRow, state: _State) -> Finding:
    bonus = f" + {state.n(transfer.bonus_miles)} bonus" if transfer.bonus_miles else ""
    hint = ""
    # the ratio the partner applied: its own points (when the line gives
    # them) over the miles it credited
    points = transfer.points if line.points is None else line.points
    if transfer.bonus_miles and line.miles == transfer.base_miles:
        hint = "; the bonus is missing"
    elif line.miles and points:
        ratio = Fraction(points, line.miles)
        hint = f"; {ratio} {'point' if ratio == 1 else 'points'} per mile applied"
    return Finding(
        PartnerReason.WRONG_RATIO,
        f"row {line.row}: expected {state.n(transfer.miles)} miles for transfer "
        f"{transfer.reference} ({state.n(transfer.points)} "
        f"{plural(transfer.points, 'point')}: "
        f"{state.n(transfer.base_miles)} miles{bonus}), found {state.n(line.miles)}{hint}",
        line.row,
        transfer.id,
        transfer.reference,
    )


def _unmatched(
    line: CreditLine,
    found: list[TransferRow],
    members: set[str],
    partner: PartnerSettings,
    key: str,
    state: _State,
) -> Finding:
    where = f"row {line.row}"
    ref = line.reference or "(none)"
    if len(found) > 1:
        return Finding(
            PartnerReason.AMBIGUOUS_CREDIT,
            f"{where}: expected one transfer for reference {ref}, found "
            f"{len(found)}: " + ", ".join(t.reference for t in found),
            line.row,
            None,
            line.reference,
        )
    wrong = check_member_number(partner, key, line.member_number)
    if wrong or normalize_key(line.member_number) not in members:
        why = wrong or (
            f"member number {line.member_number!r}: expected a {key} member we "
            "transferred to, found none"
        )
        return Finding(
            PartnerReason.UNKNOWN_MEMBER,
            f"{where}: {why} ({state.n(line.miles)} miles, reference {ref})",
            line.row,
            None,
            line.reference,
        )
    return Finding(
        PartnerReason.CREDIT_WITHOUT_TRANSFER,
        f"{where}: expected a transfer to member {line.member_number} with "
        f"reference {ref}, found none ({state.n(line.miles)} miles credited)",
        line.row,
        None,
        line.reference,
    )


def match_credits(
    credits: Sequence[CreditLine],
    transfers: Sequence[TransferRow],
    partner: PartnerSettings,
    key: str,
    *,
    through: date,
    zone: tzinfo,
    credited: dict[int, tuple[str, int]] | None = None,
    max_key_edits: int = 2,
    members: set[str] | None = None,
    locale: str = "en_US",
) -> tuple[list[LineMatch], list[Finding]]:
    """Match statement lines to transfers; every fault as a `Finding`.

    Args:
        credits: the statement's lines, in order.
        transfers: the partner's transfers made up to `through`.
        partner: the partner's settings (member format, credit days).
        key: the partner key.
        through: the last day the statement covers.
        zone: the desk's zone (a transfer's day is its day there).
        credited: transfers credited by earlier statements -> (file, row).
        max_key_edits: keying slips tolerated in a reference.
        members: the normalised member numbers of every transfer to the
            partner, later ones too (default: those of `transfers`).
        locale: the desk's locale, in which the messages write figures
            (``6 000 miles`` in nb_NO, where ``6,000`` reads as six).

    Returns:
        The line matches, in statement order, and the findings: lines'
        first, in order, then missing credits in transfer order.

    Example: ``match_credits(lines, transfers, partner, "vuelaclub",
    through=date(2026, 11, 30), zone=client.zone)``
    """
    credited = credited or {}
    state = _State({normalize_key(t.reference): t for t in transfers}, locale=locale)
    if members is None:
        members = {normalize_key(t.member_number) for t in transfers}
    matches: list[LineMatch] = []
    findings: list[Finding] = []
    for line in credits:
        found, how = _find(line, transfers, state, credited, max_key_edits)
        if len(found) != 1:
            finding = _unmatched(line, found, members, partner, key, state)
            findings.append(finding)
            matches.append(LineMatch(line, None, finding.code.value))
            continue
        transfer = found[0]
        own = _line_findings(line, transfer, state, credited, partner)
        findings.extend(own)
        state.matched.setdefault(transfer.id, line.row)
        note = f"{how}: {line.reference or line.member_number} for {transfer.reference}"
        matches.append(
            LineMatch(
                line,
                transfer.id,
                own[0].code.value if own else "credited",
                note if how else "",
            )
        )
    due = through - timedelta(days=partner.credit_days)
    for t in transfers:
        if t.id in state.matched or t.id in credited:
            continue
        made = _day(t.transferred_at, zone)
        if made <= due:
            findings.append(
                Finding(
                    PartnerReason.MISSING_CREDIT,
                    f"transfer {t.reference}: expected {state.n(t.miles)} miles credited to "
                    f"member {t.member_number} within {partner.credit_days} "
                    f"{plural(partner.credit_days, 'day')} of "
                    f"{made}, found no credit by {through}",
                    None,
                    t.id,
                    t.reference,
                )
            )
    return matches, findings
