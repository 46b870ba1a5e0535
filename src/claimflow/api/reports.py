"""Public read-only stages: reports, the work queue, replay, exports, stories.

Each follows the calling convention of `claimflow.api`; nothing here writes
to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from claimflow.api.common import ClientLike, instant, resolve_client

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

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

    Example: ``build_report("sla", "acme-tools", store, period="2026-10").tables``
    """
    from claimflow.report.pack import PackOptions
    from claimflow.report.sla import build_report as build

    resolved = resolve_client(client)
    options = PackOptions(top=top, months=months, qa_by=qa_by)
    return build(kind, store, resolved, period, instant(as_of, resolved), options)


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

    def to_dict(self) -> list[dict[str, Any]]:
        """The first `limit` rows as plain records (what ``--json`` prints)."""
        import json

        head = self.rows if self.limit is None else self.rows.head(self.limit)
        data: list[dict[str, Any]] = json.loads(
            head.to_json(orient="records", date_format="iso")
        )
        return data


def work_queue(
    clients: list[ClientLike],
    store: Store,
    *,
    as_of: datetime | date | None = None,
    limit: int | None = None,
) -> WorkQueue:
    """Open work of every client, most urgent first: business time left before breach.

    Each row: client, claim_id, received, due_date, remaining_hours,
    at_risk, breached and breaches_anyway. A date or a naive `as_of` is read
    in each client's desk zone, as on every command.

    Example: ``work_queue(["acme-tools"], store, limit=10).to_dict()``
    """
    from claimflow.sla.queue import work_queue as queue

    resolved = [resolve_client(c) for c in clients]
    if isinstance(as_of, datetime):
        moment = as_of
    else:  # a date is its 00:00 at each desk; none is now
        moment = instant(None) if as_of is None else datetime(*as_of.timetuple()[:3])
    return WorkQueue(queue(store, resolved, moment), limit)


def replay_claims(
    client: ClientLike,
    store: Store,
    *,
    rules: ClientLike | None = None,
    batch: int | None = None,
    since: date | None = None,
    as_of: datetime | date | None = None,
    baseline: bool = False,
) -> ReplayResult:
    """Re-run stored claims under the current code and `rules`; list what changes.

    Nothing is written. `since` keeps claims received on or after that day;
    `baseline` compares with a same-rules replay so only the rule change shows.

    Example: ``replay_claims("acme-tools", store, rules="acme-2027.yaml").changes``
    """
    from claimflow.replay import replay

    resolved = resolve_client(client)
    return replay(
        store,
        resolved,
        rules=resolve_client(rules) if rules is not None else None,
        batch_id=batch,
        since=since,
        now=instant(as_of, resolved),
        baseline=baseline,
    )


def run_golden(folder: Path, *, update: bool = False) -> dict[str, list[str]]:
    """Run the golden cases in `folder`; the differences per case (``{}``: none).

    Example: ``run_golden(Path("samples/golden")) == {}``
    """
    from claimflow.replay_golden import golden

    return golden(folder, update=update)


@dataclass(frozen=True)
class Export:
    """Rows written to a .csv or .xlsx file."""

    what: str
    file: str
    rows: int

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return {"what": self.what, "file": self.file, "rows": self.rows}


def export_rows(
    what: Literal["claims", "awards"],
    store: Store,
    out: Path,
    *,
    batch: int | None = None,
) -> Export:
    """Export claims (outcome, reason codes) or award postings to .csv or .xlsx.

    Cells a spreadsheet would run as formulas are written as text.

    Example: ``export_rows("awards", store, Path("postings.csv")).rows``
    """
    from claimflow.report import export_awards, export_claims

    if batch is not None:
        store.require_batch(batch)  # not an empty file for a mistyped batch
    exporter = export_claims if what == "claims" else export_awards
    return Export(what, str(out), exporter(store, out, batch))


@dataclass
class Story:
    """A claim's whole story (``to_dict()``), and as text (`text`)."""

    data: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The story as a person reads it."""
        from claimflow.report.story import render_story

        return render_story(self.data)

    def to_dict(self) -> dict[str, Any]:
        """As plain data (what ``--json`` prints)."""
        return self.data


def claim_story(claim: str, store: Store) -> Story:
    """A claim's story by its id or reference: as received, outcome, awards, audit.

    Example: ``print(claim_story("AC-1001", store).text)``
    """
    from claimflow.report.story import claim_story as story

    return Story(story(store, claim))


def write_participant_review(result: DedupeResult, out: Path) -> int:
    """Write the participant pairs to review to a .csv or .xlsx file to mark.

    Example: ``write_participant_review(dedupe_participants(path), Path("r.csv"))``
    """
    from claimflow.dedupe.result import records
    from claimflow.report import write_table

    columns = ["kind", "a", "b", "probability", "name_level", "dob_level",
               "email_level", "phone_level", "address_level", "found_by",
               "decision"]  # fmt: skip
    doubtful = records(result.pairs[result.pairs["decision"] == "review"])
    for row in doubtful:
        row.update(kind="participant", found_by=", ".join(row["found_by"]), decision="")
    return write_table(([row[c] for c in columns] for row in doubtful), columns, out)
