"""Partner reconciliation: a partner's credit statement against our transfers.

`reconcile_statement` reads the statement (`claimflow.accounts.statement`),
matches it (`claimflow.accounts.matching`), stores its lines once per file
(by content hash), opens a discrepancy per finding through
`open_discrepancy_cases` and resolves the missing-credit ones a later
statement credits, in one transaction, audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from claimflow.accounts.matching import Finding, LineMatch, match_credits
from claimflow.accounts.partners import partner_of
from claimflow.accounts.statement import read_statement, statement_day
from claimflow.config import ResolvedClient
from claimflow.keys import normalize_key
from claimflow.parse.common import content_hash
from claimflow.store import Store
from claimflow.store.partners import (
    CreditRow,
    DiscrepancyRow,
    add_credits,
    credited_before,
    open_discrepancies,
    resolve_missing,
    statement_seen,
    transfers_through,
)


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
        notes: what reading the statement skipped (a title line, a total
            row equal to the lines' sums), one line each.
    """

    file: str
    partner: str
    through: date
    lines: tuple[LineMatch, ...]
    findings: tuple[Finding, ...]
    opened: int
    resolved: int
    repeated: bool
    notes: tuple[str, ...] = ()

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
            "notes": list(self.notes),
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
    statement = read_statement(path, client, partner)
    lines = statement.lines
    digest = content_hash(path)
    last = through or statement_day(lines) or at.astimezone(client.zone).date()
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=client.zone)
    with store.transaction():
        every = transfers_through(store, client.key, partner_key)
        transfers = [t for t in every if t.transferred_at < _utc(end)]
        repeated = statement_seen(store, client.key, partner_key, digest)
        credited = credited_before(store, client.key, partner_key, digest)
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
            locale=client.desk.locale,
        )
        opened: list[int] = []
        resolved = 0
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
            tuple(statement.notes),
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
