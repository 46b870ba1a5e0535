"""Public read-only stages: reports, the work queue, replay, exports, stories.

Each follows the calling convention of `claimflow.api`; nothing here writes
to the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from claimflow.api.common import (
    ClientLike,
    client_desk,
    client_then_store,
    instant,
    require_batch,
    resolve_client,
)
from claimflow.errors import ConfigError
from claimflow.shown import PLAIN_DESK, Desk, fixed

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from claimflow.accounts.case_queue import CaseDue
    from claimflow.dedupe.result import DedupeResult
    from claimflow.replay import ReplayResult
    from claimflow.report.sla import Report
    from claimflow.store import Store

ReportKind = Literal["sla", "qa", "trends", "daily", "weekly", "monthly"]


def build_report(
    kind: ReportKind,
    client: ClientLike,
    store: Store,
    *,
    period: str | None = None,
    as_of: datetime | date | None = None,
    qa_by: Literal["keyed", "adjudicated"] = "keyed",
    top: int = 6,
    months: int = 6,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """An SLA, QA or trend report, or one of the desk's pack, with its
    definitions (``to_dict()``).

    Args:
        kind: ``sla``, ``qa``, ``trends``, or the pack's ``daily``,
            ``weekly`` and ``monthly``.
        client: the client.
        store: the store.
        period: ``sla``, ``qa``, ``trends``: ``2026-10``, ``2026-Q4``,
            ``2026`` or ``2026-10-01..2026-10-31`` (default: everything);
            ``daily``: a day (default: today); ``weekly``: the week's last
            day (default: the working day before today); ``monthly``: a
            month (default: the last complete one).
        as_of: the instant the report looks at (default: now).
        qa_by: QA checks counted by the day the fields were ``keyed`` or the
            day the check was recorded (``adjudicated``).
        top: the monthly report's reasons listed.
        months: the monthly report's months of trend.
        progress: called with the number of tables built: 0 before, all of
            them once built (the figures are computed in sets, at once).

    Example: ``build_report("sla", "acme-tools", store, period="2026-10").tables``
    """
    from claimflow.extras import need
    from claimflow.report.pack import PackOptions
    from claimflow.report.sla import build_report as build

    # every report may judge QA figures: refused up front, whatever the data
    need("scipy", "reports")
    need("statsmodels", "reports")
    resolved = resolve_client(client)
    options = PackOptions(top=top, months=months, qa_by=qa_by)
    if progress is not None:
        progress(0)
    report = build(kind, store, resolved, period, instant(as_of, resolved), options)
    if progress is not None:
        progress(len(report.tables))
    return report


def write_report(report: Report, out: Path) -> Path:
    """Write a report as .csv (a folder when several tables), .zip, .xlsx,
    .html or .pdf (the HTML printed by headless Chromium).

    Example: ``write_report(build_report("qa", "acme-tools", store), Path("qa.xlsx"))``
    """
    from claimflow.report.sla import write_report as write

    return write(report, out)


def show_report(report: Report, console: Console) -> None:
    """Print a report's title, verdict, notes, tables and definitions on a
    rich console.

    Example: ``show_report(report, Console())``
    """
    from claimflow.report.tables import print_table, shown_table

    console.print(f"[bold]{report.title}[/bold]", highlight=False)
    for note in filter(None, [report.verdict, *report.notes]):  # the terminal wraps
        console.print(note, highlight=False, soft_wrap=True)
    for name, frame in report.tables.items():
        print_table(console, name, shown_table(frame, report.locale, report.currency))
    for line in report.definitions:
        console.print(f"[dim]{line}[/dim]", highlight=False, soft_wrap=True)


@dataclass
class WorkQueue:
    """Open claims, most urgent first (`rows`: a frame; ``to_dict()`` records)."""

    rows: pd.DataFrame
    limit: int | None = None
    #: Each client's locale, by key: the figures people read are shown in it.
    locales: dict[str, str] = field(default_factory=dict)

    def hours_shown(self, client: str, hours: Any) -> str:
        """Business hours as the client's desk reads them (``36,0`` in de_DE).

        Example: ``queue.hours_shown("nordlicht", 36.0) == "36,0"``
        """
        return fixed(float(hours), self.locales.get(client, "en_US"))

    def to_dict(self) -> list[dict[str, Any]]:
        """The first `limit` rows as plain records (what ``--json`` prints)."""
        import json

        import pandas as pd

        head = self.rows if self.limit is None else self.rows.head(self.limit)
        # a due date is a day, written as one (2025-11-21), not a midnight
        # instant (trial 21: "2025-11-21T00:00:00.000")
        days = pd.to_datetime(head["due_date"]).dt.strftime("%Y-%m-%d")
        head = head.assign(due_date=days.astype(object))
        data: list[dict[str, Any]] = json.loads(
            head.to_json(orient="records", date_format="iso")
        )
        return data


def _at_each_desk(as_of: datetime | date | None) -> datetime:
    """The instant a queue of several clients looks at: `as_of` as given (a
    naive time is read in each client's zone by the queue), a date its 00:00
    at each desk, none now."""
    if isinstance(as_of, datetime):
        return as_of
    return instant(None) if as_of is None else datetime(*as_of.timetuple()[:3])


def work_queue(
    clients: Sequence[ClientLike],
    store: Store,
    *,
    as_of: datetime | date | None = None,
    limit: int | None = None,
) -> WorkQueue:
    """Open work of every client, most urgent first: business time left before breach.

    Each row: client, claim_id, received, due_date, remaining_hours,
    at_risk, breached and breaches_anyway, and (for the first `limit` rows)
    claim: the claim as people know it, its reference and file. A date or a
    naive `as_of` is read in each client's desk zone, as on every command.

    Example: ``work_queue(["acme-tools"], store, limit=10).to_dict()``
    """
    from claimflow.sla.queue import work_queue as queue

    resolved = [resolve_client(c) for c in clients]
    moment = _at_each_desk(as_of)
    rows = queue(store, resolved, moment)
    ids = rows["claim_id"].astype(str).tolist()
    names = store.claim_names(ids[:limit] if limit else ids)
    rows["claim"] = [names.get(c, c) for c in ids]
    return WorkQueue(rows, limit, {c.key: c.config.locale for c in resolved})


@dataclass
class CaseQueue:
    """Open member-service cases, most urgent first (see `case_queue`).

    Attributes:
        rows: each open case with its most urgent term (`CaseDue`).
        limit: how many `to_dict` gives (None: all).
        without_accounts: the clients asked for that keep no cases (no
            ``accounts`` section), by key.
        locales: each client's locale, by key.
    """

    rows: list[CaseDue]
    limit: int | None = None
    without_accounts: list[str] = field(default_factory=list)
    locales: dict[str, str] = field(default_factory=dict)

    def hours_shown(self, client: str, hours: float | None) -> str:
        """Business hours as the client's desk reads them (empty: no term)."""
        if hours is None:
            return ""
        return fixed(hours, self.locales.get(client, "en_US"))

    def to_dict(self) -> list[dict[str, object]]:
        """The first `limit` rows as plain records (what ``--json`` prints)."""
        head = self.rows if self.limit is None else self.rows[: self.limit]
        return [row.to_dict() for row in head]


def case_queue(
    clients: Sequence[ClientLike],
    store: Store,
    *,
    as_of: datetime | date | None = None,
    limit: int | None = None,
) -> CaseQueue:
    """Open cases of every client, most urgent first: the term each owes
    next (first response, follow-up, resolution) and the business hours
    left to it, negative once overdue (`claimflow.accounts.case_queue`).

    A date or a naive `as_of` is read in each client's desk zone; cases
    opened and events recorded after it are not yet made. A client without
    an ``accounts`` section keeps no cases: it is named in
    ``without_accounts``.

    Example: ``case_queue(["acme-tools"], store).to_dict()[0]["hours_left"]``
    """
    from claimflow.accounts.case_queue import case_deadlines, most_urgent
    from claimflow.window import at_desk

    resolved = [resolve_client(c) for c in clients]
    moment = _at_each_desk(as_of)
    rows: list[CaseDue] = []
    without = []
    for client in resolved:
        if client.config.accounts is None:
            without.append(client.key)
            continue
        rows += case_deadlines(store, client, at_desk(moment, client.zone))
    rows.sort(key=most_urgent)
    return CaseQueue(rows, limit, without, {c.key: c.config.locale for c in resolved})


def replay_claims(
    client: ClientLike,
    store: Store,
    *,
    rules: ClientLike | None = None,
    batch: int | None = None,
    since: date | None = None,
    as_of: datetime | date | None = None,
    baseline: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ReplayResult:
    """Re-run stored claims under the current code and `rules`; list what changes.

    Nothing is written. `since` keeps claims received on or after that day;
    `baseline` compares with a same-rules replay so only the rule change shows.
    `progress` is called with the number of claims decided so far, chunk by
    chunk, up to ``ReplayResult.claims``.

    Example: ``replay_claims("acme-tools", store, rules="acme-2027.yaml").changes``
    """
    from claimflow.replay import replay

    resolved = resolve_client(client)
    require_batch(store, batch, resolved)
    changed = resolve_client(rules) if rules is not None else None
    if changed is not None and changed.key != resolved.key:
        # another client's rules would be judged against this client's
        # history (trial 24: a KeyError, exit 1, read by a gate as "changed")
        raise ConfigError(
            f"{changed.source_path}: rules of client {changed.key!r}, not of "
            f"{resolved.key!r}: give a new version of {resolved.key}'s own file"
        )
    return replay(
        store,
        resolved,
        rules=changed,
        batch_id=batch,
        since=since,
        now=instant(as_of, resolved),
        baseline=baseline,
        progress=progress,
    )


def run_golden(folder: Path, *, update: bool = False) -> dict[str, list[str]]:
    """Run the golden cases in `folder`; the differences per case (``{}``: none).

    Example: ``run_golden(Path("samples/golden")) == {}``
    """
    from claimflow.replay_golden import golden

    return golden(folder, update=update)


@dataclass(frozen=True)
class Export:
    """Rows written to a file: what, where, how many, whose (None: every client's)."""

    what: str
    file: str
    rows: int
    client: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {
            "what": self.what,
            "client": self.client,
            "file": self.file,
            "rows": self.rows,
        }


def export_rows(
    what: Literal["claims", "awards"],
    client: ClientLike | None,
    store: Store,
    out: Path | None = None,
    /,
    *,
    batch: int | None = None,
    **old: ClientLike | None,
) -> Export:
    """Export claims (outcome, reason codes) or award postings to a file:
    .csv or .xlsx (cells a spreadsheet would run as formulas written as
    text), or .json, .jsonl or .ndjson.

    `client` is required and may be None on purpose: a posting file goes to
    one client's fulfilment system, and one client's rows must never reach
    another by a forgotten filter; None exports every client's rows. The
    old order, ``(what, store, out, client=...)``, still works with a
    DeprecationWarning (`client`, `store` and `out` are positional for it).

    Raises:
        TypeError: the arguments are not (what, client, store, out).

    Example: ``export_rows("awards", "acme-tools", store, Path("postings.csv"))``
    """
    from claimflow.report import export_awards, export_claims

    if old and out is None:  # the old order: (what, store, out, client=...)
        out, store = store, None  # type: ignore[assignment]  # checked below
    client, store = client_then_store("export_rows", "what", client, store, old)
    if not isinstance(out, (str, Path)):
        raise TypeError(
            "export_rows: expected export_rows(what, client, store, out), found "
            f"out={type(out).__name__}"
        )

    if what not in ("claims", "awards"):
        # "ledger" exported award postings under another name (trial 24)
        raise ValueError(f"expected 'claims' or 'awards' to export, found {what!r}")
    key = resolve_client(client).key if client is not None else None
    if batch is not None:
        # not an empty file for a mistyped batch, or another client's
        store.require_batch(batch, key)
    exporter = export_claims if what == "claims" else export_awards
    return Export(what, str(out), exporter(store, Path(out), batch, key), key)


@dataclass
class Story:
    """A claim's whole story (``to_dict()``), and as text (`text`).

    Attributes:
        data: the story as stored (times ISO-8601 in UTC, as ``--json`` prints).
        desk: the client's desk, whose zone and locale `text` is written in.
    """

    data: dict[str, Any] = field(default_factory=dict)
    desk: Desk = PLAIN_DESK

    @property
    def text(self) -> str:
        """The story as a person reads it (times in the desk's zone)."""
        from claimflow.report.story import render_story

        return render_story(self.data, self.desk)

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return self.data


def claim_story(
    claim: str, client: ClientLike | None = None, store: Store | None = None
) -> Story:
    """A claim's story by its id or reference: as received, outcome, awards, audit.

    Its text shows times in the client's desk zone (`client`, else the
    claim's client key looked up in ``CLAIMFLOW_CLIENTS``, else UTC:
    `client_desk`); its data keeps them as stored. The old order
    ``(claim, store, client)`` still works, with a DeprecationWarning.

    Raises:
        TypeError: the arguments are not (claim, client, store).

    Example: ``print(claim_story("AC-1001", "acme-tools", store).text)``
    """
    from claimflow.report.story import claim_story as story

    client, store = client_then_store("claim_story", "claim", client, store)
    data = story(store, claim)
    return Story(data, client_desk(client, data["claim"]["client"]))


def write_participant_review(result: DedupeResult, out: Path) -> int:
    """Write the participant pairs found to a .csv or .xlsx file to mark.

    Every pair at or above the review threshold, each with what dedupe found
    (``found``: ``duplicate`` or ``review``), its probability, its
    explanation (each comparison's level and weight, strongest first) and
    an empty ``decision`` column: a pair to review must be marked same or
    different; a duplicate may be (``different`` overturns it) or left
    blank, when the finding stands and nothing is stored.

    Returns:
        The pairs written.

    Example: ``write_participant_review(dedupe_participants(path), Path("r.csv"))``
    """
    from claimflow.dedupe.result import explanation, records
    from claimflow.report import write_table

    compared = list(result.methods)
    columns = ["kind", "a", "b", "probability", "found", "explanation",
               *(f"{c}_level" for c in compared), "found_by",
               "decision"]  # fmt: skip
    pairs = records(result.pairs)
    for row in pairs:
        row.update(
            kind="participant",
            found=row["decision"],
            explanation=explanation(row, compared),
            found_by=", ".join(row["found_by"]),
            decision="",
        )
    return write_table(([row.get(c) for c in columns] for row in pairs), columns, out)
