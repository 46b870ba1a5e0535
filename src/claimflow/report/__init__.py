"""Reports people read: terminal tables, notice files, spreadsheet exports.

Contract: functions here take library results or store queries and write
them for people; they compute nothing new. Every cell written for a
spreadsheet goes through `safe_cell`, so a keyed ``=HYPERLINK(...)`` is shown
as text and never run as a formula; the stored value stays as received.

SLA and QA reports (`claimflow.report.sla`) take each column's header and
kind from `claimflow.report.columns` and are laid out for the terminal,
HTML, CSV and xlsx by `claimflow.report.tables`.
"""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from gettext import ngettext
from itertools import groupby
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from claimflow.codes import Outcome
from claimflow.errors import ClaimflowError
from claimflow.results import BatchResult
from claimflow.store import Store
from claimflow.store.reports import award_export_rows, claim_export_rows
from claimflow.validate.notices import Notice

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise a value a spreadsheet would run as a formula (OWASP CSV injection).

    Args:
        value: a cell value.

    Returns:
        The value, with a leading ``'`` when it is text starting with
        ``= + - @`` (or tab or carriage return), after leading spaces and in
        full-width forms too (``  =cmd``, ``＝cmd``); numbers pass unchanged.

    Example: ``safe_cell("=1+2") == "'=1+2"`` and ``safe_cell(-5) == -5``
    """
    if isinstance(value, str) and _formula_like(value):
        return "'" + value
    return value


def _formula_like(text: str) -> bool:
    """Text a spreadsheet may take for a formula: it starts (after spaces) with
    ``= + - @``, a tab or a carriage return, full-width ones (``＝``) included."""
    if text.startswith(_FORMULA_START):
        return True
    head = unicodedata.normalize("NFKC", text[:8]).lstrip(" \u00a0\u3000")
    return head.startswith(_FORMULA_START)


def render_summary(
    result: BatchResult, console: Console, verbose: bool = False
) -> None:
    """Print files, outcomes and top reason codes as tables.

    A run whose every file was ingested before prints one line per file,
    naming the batch that holds it, and no tables (they were all zeros).

    Example: ``render_summary(result, Console())``
    """
    if result.already_ingested:
        for f in result.files:
            line = f"{f.name}: {f.status}: nothing new stored"
            console.print(escape(line), highlight=False, soft_wrap=True)
        return
    console.print(_files_table(result))
    notes = [f"note: {f.name}: {note}" for f in result.files for note in f.notes]
    for line in notes:
        console.print(escape(line), highlight=False, soft_wrap=True)
    outcomes = Table(show_header=True)
    outcomes.add_column("outcome")
    outcomes.add_column("claims", justify="right")
    for outcome in Outcome:
        outcomes.add_row(outcome.value, f"{result.outcomes[outcome]:,}")
    outcomes.add_row("[bold]total[/bold]", f"[bold]{result.records:,}[/bold]")
    reasons = Table(show_header=True)
    reasons.add_column("top reason codes")
    reasons.add_column("problems", justify="right")
    for code, count in result.reasons.most_common(8):
        reasons.add_row(code.value, f"{count:,}")
    console.print(outcomes, reasons)
    if result.notices:
        n = len(result.notices)
        console.print(
            ngettext(
                "{n:,} notice to participants", "{n:,} notices to participants", n
            ).format(n=n)
        )
    if verbose:
        for problem in result.problems:
            console.print(
                f"  {escape(problem.render())} [dim]({problem.code.value})[/dim]",
                highlight=False,
                soft_wrap=True,
                emoji=False,
            )
        timings = ", ".join(f"{k} {v:.3f}s" for k, v in result.timings.items())
        console.print(f"stage timings: {timings}")


def _files_table(result: BatchResult) -> Table:
    """The batch's files: records read and what became of each."""
    n = result.records
    title = f"{result.client}: " + ngettext("{n:,} record", "{n:,} records", n).format(n=n)
    if result.batch_id is not None:
        title += f" stored as batch {result.batch_id}"
    files = Table(title=title, title_justify="left")
    for column in ("file", "records", "status"):
        files.add_column(column, justify="right" if column == "records" else "left")
    for f in result.files:
        files.add_row(f.name, f"{f.records:,}", f.error or f.status)
    return files


def write_notices(result: BatchResult, folder: Path) -> list[Path]:
    """Write one text file per notice: ``<client>-<batch>-<participant>.txt``.

    Example: ``write_notices(result, Path("notices"))``
    """
    batch = result.batch_id if result.batch_id is not None else "check"
    return write_notice_files(result.notices, folder, f"{result.client}-{batch}")


def write_batch_notices(store: Store, batch_id: int, folder: Path) -> list[Path]:
    """Write a stored batch's notices to `folder` (the missing ones; see
    `write_notice_files`), named as when the batch was ingested, and those
    later stages stored with it named as they wrote them.

    Example: ``write_batch_notices(store, 3, Path("notices"))``
    """
    client, notices = store.batch_notices(batch_id)
    written = []
    for stem, group in groupby(notices, key=lambda pair: pair[0]):
        written += write_notice_files(
            [n for _, n in group], folder, stem or f"{client}-{batch_id}"
        )
    return written


def write_notice_files(
    notices: Sequence[Notice], folder: Path, stem: str
) -> list[Path]:
    """Write notices as ``<stem>-<participant>.txt`` files; return their paths.

    The notice of a claim without a member number is named by its claim
    (``<stem>-no-member-<claim id>.txt``): each such claim has its own.
    A file already there with the same text is left as it is, so writing a
    batch's notices again (after a run that stopped before writing them)
    only adds the missing ones.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for notice in notices:
        who = notice.participant_id or f"no-member-{notice.claim_ids[0]}"
        path = folder / f"{stem}-{file_safe(who)}.txt"
        if not path.is_file() or path.read_text(encoding="utf-8") != notice.text:
            path.write_text(notice.text, encoding="utf-8")
        written.append(path)
    return written


def file_safe(text: str) -> str:
    """A participant id as a file name part, unique for every id.

    Letters, digits, ``-`` and ``_`` stay; an id with anything else (``a.b``,
    ``a/b``) is changed and gets a digest of itself, so that ``a.b``,
    ``a/b`` and ``a_b`` never share a file.

    Example: ``file_safe("a/b") != file_safe("a_b")``
    """
    safe = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in text
    )
    if safe == text and safe:
        return safe
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"{safe[:60]}-{digest}"


def write_table(
    rows: Iterable[Sequence[Any]],
    header: Sequence[str],
    out: Path,
    *,
    json_ok: bool = False,
) -> int:
    """Write rows to ``.csv`` or ``.xlsx`` (by suffix), every cell made safe.

    CSV gets `safe_cell`'s leading ``'``; a workbook keeps the text as typed
    in a text cell with the quote-prefix style, so it is neither run nor
    shown with a stray ``'``. With `json_ok` (a file for programs, not one
    read back by claimflow) ``.json``, ``.jsonl`` and ``.ndjson`` are written
    too, with the values ``--json`` prints (`claimflow.output.write_rows_file`).

    Returns:
        The number of data rows written.

    Example: ``write_table([("a", 1)], ["name", "n"], Path("out.xlsx"))``
    """
    suffix = out.suffix.lower()
    if json_ok and suffix in (".json", ".jsonl", ".ndjson"):
        from claimflow.output import write_rows_file

        names = list(header)
        return write_rows_file(
            (dict(zip(names, row, strict=True)) for row in rows), out
        )
    if suffix not in (".csv", ".xlsx"):
        kinds = ".csv, .xlsx, .json, .jsonl or .ndjson" if json_ok else ".csv or .xlsx"
        raise ClaimflowError(f"{out}: expected a {kinds} file name")
    count = 0
    if suffix == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        book = Workbook(write_only=True)
        sheet = book.create_sheet("claims")
        sheet.append(list(header))

        def cell(value: Any) -> Any:
            if safe_cell(value) == value:
                return value
            # text that looks like a formula: a text cell with Excel's quote
            # prefix, shown as keyed (no visible ') and never run
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"
            text.quotePrefix = True
            return text

        for row in rows:
            sheet.append([cell(v) for v in row])
            count += 1
        book.save(out)
        return count
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            count += 1
    return count


CLAIM_EXPORT_HEADER = (
    "claim_id",
    "claim_ref",  # the reference people quote (trial 19: ids alone)
    "batch_id",
    "client",
    "participant_id",
    "participant_name",
    "received_at",
    "activity_date",
    "outcome",
    "reason_codes",
    "source",
)


def export_claims(
    store: Store, out: Path, batch_id: int | None = None, client: str | None = None
) -> int:
    """Export claims with their outcome and reason codes to CSV or Excel.

    Args:
        store: the store.
        out: ``.csv`` or ``.xlsx`` path.
        batch_id: only this batch (default: all).
        client: only this client's claims (default: every client's).

    Returns:
        Rows written.

    Example: ``export_claims(Store.open("c.db"), Path("claims.xlsx"), batch_id=1)``
    """
    return write_table(
        claim_export_rows(store, batch_id, client),
        CLAIM_EXPORT_HEADER,
        out,
        json_ok=True,
    )


AWARD_EXPORT_HEADER = (
    "posting_id",
    "client",
    "participant_id",
    "claim_id",
    "entry_type",
    "points",
    "rule_set_version",
    "posted_at",
    "available_at",
    "expires_at",
    "idempotency_key",
)


def export_awards(
    store: Store, out: Path, batch_id: int | None = None, client: str | None = None
) -> int:
    """Write the ledger postings a fulfilment system loads, to CSV or Excel.

    Args:
        store: the store.
        out: ``.csv`` or ``.xlsx`` path.
        batch_id: only postings of claims of this batch (default: all).
        client: only this client's postings (default: every client's).

    Returns:
        Rows written.

    The instants (posted, available, expires) are all in UTC: the ledger
    keeps an award's in the desk's offset and a redemption's in UTC, and a
    file mixing zones reads as out of order.

    Example: ``export_awards(Store.open("c.db"), Path("postings.csv"))``
    """
    rows = (
        (*row[:7], *(_in_utc(v) for v in row[7:10]), *row[10:])
        for row in award_export_rows(store, batch_id, client)
    )
    return write_table(rows, AWARD_EXPORT_HEADER, out, json_ok=True)


def _in_utc(text: str | None) -> str | None:
    from datetime import UTC, datetime

    return datetime.fromisoformat(text).astimezone(UTC).isoformat() if text else text
