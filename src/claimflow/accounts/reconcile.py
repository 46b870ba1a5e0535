"""Partner reconciliation: a partner's credit statement against our transfers.

`match_credits` is pure. Each statement line is matched to a transfer as
verification matches a claim to its source record
(`claimflow.verify.match`): by its reference exactly after normalising
(case, spaces, dashes, leading zeros: `normalize_key`), then, failing that,
a keying slip away (`key_distance` within the client's
``verification.max_key_edits``) among the transfers to the same member
number; a line without a reference matches the one open transfer to its
member number. Then every fault found is a `Finding` with a
`PartnerReason` code; a transfer due for credit that no line (of this or
an earlier statement) credits is a missing credit.

`reconcile_statement` reads the statement, matches it, stores its lines
once per file (by content hash), opens a discrepancy per finding through
`open_discrepancy_cases` and resolves the missing-credit ones a later
statement credits, in one transaction, audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from fractions import Fraction
from pathlib import Path

from claimflow.accounts.partner_settings import PartnerSettings
from claimflow.accounts.partners import check_member_number, partner_of
from claimflow.accounts.statement import CreditLine, read_statement, statement_day
from claimflow.config import ResolvedClient
from claimflow.parse.common import content_hash
from claimflow.store import Store
from claimflow.store.partners import (
    CreditRow,
    DiscrepancyRow,
    TransferRow,
    add_credits,
    credited_elsewhere,
    open_discrepancies,
    resolve_missing,
    statement_seen,
    transfers_through,
)
from claimflow.validate.batch import normalize_key
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
    close = [(key_distance(line.reference, t.reference), t) for t in open_]
    close = [(d, t) for d, t in close if d <= max_edits]
    best = min((d for d, _ in close), default=None)
    return [t for d, t in close if d == best], "keying slip"


def _line_findings(
    line: CreditLine,
    transfer: TransferRow,
    state: _State,
    credited: dict[int, tuple[str, int]],
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
                f"credited again ({line.miles:,} miles; first on {before})",
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
                f"{where}: expected {transfer.points:,} points for transfer {ref}, "
                f"found {line.points:,}",
                line.row,
                transfer.id,
                ref,
            )
        )
    if line.miles != transfer.miles:
        findings.append(_wrong_ratio(line, transfer))
    return findings


def _wrong_ratio(line: CreditLine, transfer: TransferRow) -> Finding:
    bonus = f" + {transfer.bonus_miles:,} bonus" if transfer.bonus_miles else ""
    hint = ""
    if transfer.bonus_miles and line.miles == transfer.base_miles:
        hint = "; the bonus is missing"
    elif line.miles:
        hint = f"; {Fraction(transfer.points, line.miles)} points per mile applied"
    return Finding(
        PartnerReason.WRONG_RATIO,
        f"row {line.row}: expected {transfer.miles:,} miles for transfer "
        f"{transfer.reference} ({transfer.points:,} points: "
        f"{transfer.base_miles:,} miles{bonus}), found {line.miles:,}{hint}",
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
            f"{where}: {why} ({line.miles:,} miles, reference {ref})",
            line.row,
            None,
            line.reference,
        )
    return Finding(
        PartnerReason.CREDIT_WITHOUT_TRANSFER,
        f"{where}: expected a transfer to member {line.member_number} with "
        f"reference {ref}, found none ({line.miles:,} miles credited)",
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

    Returns:
        The line matches, in statement order, and the findings: lines'
        first, in order, then missing credits in transfer order.

    Example: ``match_credits(lines, transfers, partner, "vuelaclub",
    through=date(2026, 11, 30), zone=client.zone)``
    """
    credited = credited or {}
    state = _State({normalize_key(t.reference): t for t in transfers})
    if members is None:
        members = {normalize_key(t.member_number) for t in transfers}
    matches: list[LineMatch] = []
    findings: list[Finding] = []
    for line in credits:
        found, how = _find(line, transfers, state, credited, max_key_edits)
        if len(found) != 1:
            finding = _unmatched(line, found, members, partner, key)
            findings.append(finding)
            matches.append(LineMatch(line, None, finding.code.value))
            continue
        transfer = found[0]
        own = _line_findings(line, transfer, state, credited)
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
                    f"transfer {t.reference}: expected {t.miles:,} miles credited to "
                    f"member {t.member_number} within {partner.credit_days} days of "
                    f"{made}, found no credit by {through}",
                    None,
                    t.id,
                    t.reference,
                )
            )
    return matches, findings


@dataclass(frozen=True)
class Reconciliation:
    """What `reconcile_statement` found and did.

    Attributes:
        file: the statement.
        partner: the partner key.
        through: the last day the statement covers.
        lines: the statement's line matches.
        findings: every fault found.
        opened: discrepancies opened now (the ones found before stay open).
        resolved: missing-credit discrepancies this statement resolved.
        repeated: the same statement was reconciled before.
    """

    file: str
    partner: str
    through: date
    lines: tuple[LineMatch, ...]
    findings: tuple[Finding, ...]
    opened: int
    resolved: int
    repeated: bool

    @property
    def credited(self) -> int:
        """Lines that credit a transfer as expected."""
        return sum(m.result == "credited" for m in self.lines)

    def to_dict(self) -> dict[str, object]:
        """As plain data (what ``partners reconcile --json`` prints)."""
        return {
            "file": self.file,
            "partner": self.partner,
            "through": self.through.isoformat(),
            "lines": len(self.lines),
            "credited": self.credited,
            "opened": self.opened,
            "resolved": self.resolved,
            "repeated": self.repeated,
            "findings": [f.to_dict() for f in self.findings],
            "matches": [
                {
                    "row": m.line.row,
                    "transfer_id": m.transfer_id,
                    "result": m.result,
                    "note": m.note,
                }
                for m in self.lines
            ],
        }


def open_discrepancy_cases(
    store: Store,
    client: str,
    partner: str,
    findings: Sequence[Finding],
    digest: str,
    file: str,
    actor: str,
    at: datetime,
) -> list[int]:
    """Open a partner-discrepancy record for each finding not open already.

    The one place findings become cases: today they are rows of
    ``partner_discrepancies`` with status ``open``; wired to the cases
    module, each becomes a partner-discrepancy case. A finding already
    recorded (the same code and subject) is not opened twice.

    Returns:
        The ids of the discrepancies opened now.

    Example: ``open_discrepancy_cases(store, "costa-azul", "vuelaclub", found,
    digest, "statement.csv", "ann", now)``
    """
    when = _utc(at)
    rows = [
        DiscrepancyRow(
            client,
            partner,
            f.code.value,
            f.subject(digest),
            f.transfer_id,
            None if f.row is None else file,
            f.row,
            f.message,
            "open",
            when,
            actor,
        )
        for f in findings
    ]
    return open_discrepancies(store, rows)


def reconcile_statement(
    store: Store,
    client: ResolvedClient,
    partner_key: str,
    path: str | Path,
    actor: str,
    at: datetime,
    through: date | None = None,
) -> Reconciliation:
    """Reconcile a partner's credit statement with the transfers, and record it.

    Args:
        store: the store.
        client: the resolved client.
        partner_key: the partner whose statement it is.
        path: the statement (CSV or xlsx).
        actor: who.
        at: now (timezone-aware).
        through: the last day the statement covers (default: its last
            credit day, else today at the desk).

    Returns:
        The reconciliation (findings in statement order, then missing credits).

    Raises:
        PartnerError: unknown partner.
        UnreadableInput: the statement cannot be read (file, row, field).

    Example: ``reconcile_statement(store, client, "vuelaclub",
    "samples/costa-azul/partners/vuelaclub_noviembre.csv", "ann", now)``
    """
    partner = partner_of(client, partner_key)
    path = Path(path)
    lines = read_statement(path, client, partner)
    digest = content_hash(path)
    last = through or statement_day(lines) or at.astimezone(client.zone).date()
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=client.zone)
    with store.transaction():
        every = transfers_through(store, client.key, partner_key)
        transfers = [t for t in every if t.transferred_at < _utc(end)]
        credited = credited_elsewhere(store, client.key, partner_key, digest)
        matches, findings = match_credits(
            lines,
            transfers,
            partner,
            partner_key,
            through=last,
            zone=client.zone,
            credited=credited,
            max_key_edits=client.config.verification.max_key_edits,
            members={normalize_key(t.member_number) for t in every},
        )
        repeated = statement_seen(store, client.key, partner_key, digest)
        if not repeated:
            add_credits(
                store, _credit_rows(client.key, partner_key, digest, path, matches, at)
            )
        opened = open_discrepancy_cases(
            store, client.key, partner_key, findings, digest, str(path), actor, at
        )
        resolved = resolve_missing(
            store,
            client.key,
            partner_key,
            [m.transfer_id for m in matches if m.transfer_id is not None],
            _utc(at),
            actor,
            f"credited by {path.name}",
        )
        result = Reconciliation(
            str(path),
            partner_key,
            last,
            tuple(matches),
            tuple(findings),
            len(opened),
            resolved,
            repeated,
        )
        store.audit(
            actor,
            "partners reconcile",
            {k: v for k, v in result.to_dict().items() if k != "matches"},
        )
    return result


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _credit_rows(
    client: str,
    partner: str,
    digest: str,
    path: Path,
    matches: Sequence[LineMatch],
    at: datetime,
) -> list[CreditRow]:
    return [
        CreditRow(
            client,
            partner,
            digest,
            str(path),
            m.line.row,
            m.transfer_id,
            m.line.reference,
            m.line.member_number,
            m.line.points,
            m.line.miles,
            m.line.credited_on.isoformat(),
            m.result,
            _utc(at),
        )
        for m in matches
    ]
