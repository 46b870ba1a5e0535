"""Batch rules: pandera schemas over a whole batch, every failure collected.

A batch arrives in chunks (a million claims never sit in memory at once).
Inside a chunk the rules are pandera schemas run with ``lazy=True``; each
failure case (check, row index) is mapped back to the claim line it came
from and becomes a `Problem` with that line's provenance. Across chunks a
`SeenKeys` index (a private, disk-backed SQLite table whose SQL is in
`claimflow.store.seen_keys`) carries the keys of earlier chunks, so the
second use of a serial number is caught however far apart the two claims
are. The first occurrence is the original and stays clean; every later one
is a duplicate of it, unless it was received on an earlier day or claims
an invoice line in another quantity (then a person decides:
``possible_duplicate``; `claimflow.validate.line_quantity`). A claim with
a value naming its sale or stay that could not be read (a quantity
``1.000``, a date ``31/09/2026``) is pended, and its fix may follow in the
same batch: such a claim is never the original of a readable one
(`unread_claims`); a claim pended for another problem (an amount
``149,0O``) is, but not of its own correction, which resubmits it
(`claimflow.validate.pended_rows`).
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera import extensions

from claimflow.codes import ReasonCode
from claimflow.config import ResolvedClient
from claimflow.keys import normalize_key
from claimflow.models import Claim, Problem, SalesClaim, StayClaim
from claimflow.shown import money
from claimflow.validate.line_quantity import ANOTHER, same_quantity, units_of
from claimflow.validate.pended_rows import (
    PLACED,
    RESUBMITTED,
    Fixes,
    Stamp,
    first_readable,
    first_unread,
    only_fixes,
    sale_named,
    seen_before,
    settle,
    unread_claims,
    unread_fixed,
)
from claimflow.validate.record import Sourcing

#: Parts a key index place keeps apart: where the key stands, its claim as
#: named, the claim's `Stamp` (for a pended claim's correction).
_APART = PLACED


_OCR = str.maketrans("OILSBZ", "011582")


def fold_key(key: str) -> str:
    """A normalised key with OCR look-alikes folded (``INV-2O417`` -> ``1NV20417``)."""
    return normalize_key(key).translate(_OCR)


@extensions.register_check_method(  # type: ignore[untyped-decorator]
    statistics=["tolerance_cents"], check_type="vectorized"
)
def claim_total_matches(df: pd.DataFrame, *, tolerance_cents: int) -> pd.Series[bool]:
    """Each claim's stated total equals the sum of its line totals (in cents)."""
    sums = df.groupby("claim")["line_cents"].transform("sum")
    stated = df["claim_cents"]
    return stated.isna() | ((stated - sums).abs() <= tolerance_cents)


def _unique(columns: list[str]) -> pa.DataFrameSchema:
    # No dtype on the key columns: the frame builder only puts strings there,
    # and pandera's per-element type check would cost more than the rule.
    return pa.DataFrameSchema(
        {c: pa.Column() for c in columns},
        unique=columns,
        report_duplicates="exclude_first",
    )


SERIALS = _unique(["serial"])
INVOICE_LINES = _unique(["dealer", "invoice", "sku"])
STAYS = _unique(["hotel", "confirmation"])
TOTALS = pa.DataFrameSchema(
    {"line_cents": pa.Column("Int64", nullable=True)},
    checks=[pa.Check.claim_total_matches(tolerance_cents=1)],
)

#: What each uniqueness schema reports: (schema, frame name, code, field).
UNIQUENESS = {
    "serial": (SERIALS, ReasonCode.DUPLICATE_SERIAL_IN_BATCH, "serial_numbers"),
    "invoice_line": (
        INVOICE_LINES,
        ReasonCode.DUPLICATE_INVOICE_LINE_IN_BATCH,
        "invoice_number",
    ),
    "stay": (STAYS, ReasonCode.DUPLICATE_STAY_IN_BATCH, "confirmation_number"),
}


def _cents(amount: Decimal | None) -> int | None:
    if amount is None:
        return None
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


Columns = dict[str, list[Any]]


def _frames(claims: Sequence[Claim]) -> dict[str, Columns]:
    """One frame per rule, built column-wise (a list per column is fastest).

    The hot loop of the batch rules: a million claims pass here, so the
    columns' ``append`` methods are bound once and the common one-serial
    line skips the de-duplicating dict.
    """
    serial: Columns = {k: [] for k in ("claim", "line", "serial", "shown")}
    invoice_line: Columns = {
        k: [] for k in ("claim", "line", "dealer", "invoice", "sku", "shown")
    }
    stay: Columns = {k: [] for k in ("claim", "line", "hotel", "confirmation", "shown")}
    totals: Columns = {k: [] for k in ("claim", "line", "line_cents", "claim_cents")}
    # claims lacking a date or quantity: `unread_claims` asks their raw values why
    suspects: list[int] = []
    s_claim, s_line, s_key, s_shown = (c.append for c in serial.values())
    i_claim, i_line, i_dealer, i_invoice, i_sku, i_shown = (
        c.append for c in invoice_line.values()
    )
    norm = normalize_key
    for i, claim in enumerate(claims):
        if isinstance(claim, StayClaim):
            _stay_row(stay, suspects, i, claim)
            continue
        number = claim.invoice_number
        invoice = norm(number) if number else None
        dealer = (claim.dealer_id or "").upper()
        claim_cents = _cents(claim.claim_total)
        suspect = claim.invoice_date is None
        for n, line in enumerate(claim.lines, start=1):
            suspect = suspect or line.quantity is None
            serials = line.serial_numbers
            if len(serials) == 1:
                s_claim(i)
                s_line(n)
                s_key(norm(serials[0]))
                s_shown(serials[0])
            elif serials:
                # one row per distinct key, shown as first written
                for key, shown in {norm(s): s for s in reversed(serials)}.items():
                    s_claim(i)
                    s_line(n)
                    s_key(key)
                    s_shown(shown)
            sku = line.sku
            if invoice and sku:
                i_claim(i)
                i_line(n)
                i_dealer(dealer)
                i_invoice(invoice)
                i_sku(sku.upper())
                i_shown(f"{number} / {sku}")
            if claim_cents is not None:
                _append(totals, i, n, _cents(line.line_total), claim_cents)
        if suspect:
            suspects.append(i)
    lines = _one_row_per_sku(invoice_line)
    lines["units"] = units_of(claims, lines["claim"], lines["sku"])
    return {
        "serial": serial,
        "invoice_line": lines,
        "stay": stay,
        "totals": totals,
        "suspects": {"claim": suspects},
    }


def _stay_row(stay: Columns, suspects: list[int], i: int, claim: StayClaim) -> None:
    """A stay's row, when it has a hotel and a confirmation; a stay lacking a
    date is a suspect (see `unread_claims`)."""
    if claim.check_in is None or claim.check_out is None:
        suspects.append(i)
    if claim.hotel_code and claim.confirmation_number:
        _append(
            stay,
            i,
            None,
            claim.hotel_code.upper(),
            normalize_key(claim.confirmation_number),
            claim.confirmation_number,
        )


def _one_row_per_sku(frame: Columns) -> Columns:
    """A SKU on several lines of one claim's invoice is one sale keyed on several
    lines (two colours, two prices), never a duplicate of itself: one row each."""
    seen: set[tuple[int, str]] = set()
    keep = []
    for row, key in enumerate(zip(frame["claim"], frame["sku"], strict=True)):
        if key not in seen:
            seen.add(key)
            keep.append(row)
    if len(keep) == len(frame["claim"]):
        return frame
    return {name: [column[row] for row in keep] for name, column in frame.items()}


def _append(frame: Columns, *values: Any) -> None:
    for column, value in zip(frame.values(), values, strict=True):
        column.append(value)


def _failed_rows(schema: pa.DataFrameSchema, columns: Columns) -> list[int]:
    if not next(iter(columns.values())):
        return []
    frame = pd.DataFrame(columns)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        index = exc.failure_cases["index"].dropna().astype(int)
        return sorted(set(index.tolist()))
    return []


class SeenKeys:
    """Keys seen in earlier chunks of the batch, on disk, not in memory.

    Args:
        path: a scratch database file to share between processes that take
            turns (see `claimflow.parallel`); None: a private temporary one.
        turn: a file descriptor to read one byte from before the first use
            (the process's turn to read and add keys), if any.
    """

    def __init__(
        self, path: str | None = None, turn: int | None = None, done: int | None = None
    ) -> None:
        self._path = path or ""  # "": a private temporary database on disk
        self._turn = turn
        self._done = done
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        """The index, opened on first use (after this process's turn came)."""
        if self._conn is None:
            self._wait_turn()
            # Imported here, not above: the store imports this module
            # (through `claimflow.dedupe.claims`) as it loads.
            from claimflow.store.seen_keys import open_seen

            self._conn = open_seen(self._path)
        return self._conn

    def _wait_turn(self) -> None:
        if self._turn is not None:
            if not os.read(self._turn, 1):
                raise RuntimeError("the batch's coordinator went away")
            self._turn = None  # one turn per chunk

    def earlier(self, kind: str, keys: list[str]) -> dict[str, str]:
        """Which of `keys` the index holds: key -> where it was first seen."""
        from claimflow.store.seen_keys import seen_earlier

        return seen_earlier(self.conn, kind, keys)

    def held(self, kind: str) -> dict[str, str]:
        """Every key of `kind` the index holds: key -> where it was first seen."""
        from claimflow.store.seen_keys import seen_all

        return seen_all(self.conn, kind)

    def any(self, kind: str) -> bool:
        """Whether the index holds any key of `kind`."""
        from claimflow.store.seen_keys import seen_any

        return seen_any(self.conn, kind)

    def add(self, kind: str, pairs: list[tuple[str, str]]) -> dict[str, str]:
        """Remember (key, where) pairs of distinct keys; the first place of a key stays.

        Returns:
            The keys an earlier chunk had: key -> where it was first. Found
            without a lookup when every key was new (the usual chunk): the
            insert says how many rows it added. Otherwise the keys are read
            back, and those whose stored place is not the one given here are
            the earlier ones (the insert left them as they were).
        """
        from claimflow.store.seen_keys import add_seen

        if add_seen(self.conn, kind, pairs) == len(pairs):
            return {}
        given = dict(pairs)
        return {
            key: where
            for key, where in self.earlier(kind, list(given)).items()
            if where != given[key]
        }

    def forget(self, prefix: str) -> None:
        """Drop the keys first seen at places starting with `prefix` (a file)."""
        from claimflow.store.seen_keys import forget_seen

        forget_seen(self.conn, prefix)

    def release(self) -> None:
        """This chunk is done with the index: the next chunk's turn may come.

        With a `done` descriptor, commit, close and write one byte to it (the
        coordinator then gives the next worker its turn, while this one goes
        on with the rest of its chunk); without one, nothing.
        """
        if self._done is not None:
            self.close()

    def close(self) -> None:
        """Keep what was added (a shared file) and let go of the index."""
        if self._conn is not None:
            self._conn.commit()
            self._conn.close()
            self._conn = None
        if self._done is not None:
            # A chunk with no keys still takes its turn, so that turns and
            # chunks stay one to one for a worker that runs many chunks.
            self._wait_turn()
            os.write(self._done, b"K")
            self._done = None


def _keys(frame: Columns, kind: str) -> list[str]:
    columns = list(UNIQUENESS[kind][0].columns)
    if len(columns) == 1:
        return frame[columns[0]]
    return ["|".join(t) for t in zip(*(frame[c] for c in columns), strict=True)]


def batch_problems(
    claims: Sequence[Claim],
    sourcing: Sequence[Sourcing],
    seen: SeenKeys | None = None,
    client: ResolvedClient | None = None,
    found: Sequence[Sequence[Problem]] | None = None,
) -> list[Problem]:
    """Run the batch rules over one chunk of claims.

    Args:
        claims: the chunk's typed claims.
        sourcing: each claim's provenance finder, in the same order.
        seen: keys of earlier chunks of the same batch (None: one chunk).
        client: the client whose locale and currency messages write amounts
            in (None: plain figures).
        found: each claim's record problems, in the same order (None: none
            known; then no claim is taken for a pended claim's correction).

    Returns:
        Every batch problem, each naming the claim line it belongs to.

    Example: ``batch_problems([c1, c2], [s1, s2])`` flags c2's reused serial.
    """
    frames = _frames(claims)
    unread = unread_claims(claims, sourcing, frames["suspects"]["claim"])
    fixes = Fixes.of(claims, found or [[] for _ in claims], unread)
    problems = _repeats(frames, claims, sourcing, seen, unread, fixes)
    if seen is not None:
        seen.release()  # the next chunk may take its turn with the index
    return problems + _total_problems(frames["totals"], claims, sourcing, client)


def _repeats(
    frames: dict[str, Columns],
    claims: Sequence[Claim],
    sourcing: Sequence[Sourcing],
    seen: SeenKeys | None,
    unread: AbstractSet[int] = frozenset(),
    fixes: Fixes = Fixes.NONE,
) -> list[Problem]:
    """Keys used twice in the chunk, or already by an earlier chunk.

    The rows of `unread` claims (indexes) repeat any earlier row, but only
    a readable row is the original of a readable one: a pended claim's fix
    later in the batch is not its duplicate, nor is a correction of a claim
    pended for another problem (`fixes`, `settle`). The message names the earlier
    claim as people know it (`earlier_claim`), then where it stands.
    """
    problems: list[Problem] = []
    # each claim as a place names it (`earlier_claim`), once for every kind
    named: dict[int, str] = {}
    # claims correcting unread pended claims, and the claims that repeat
    fixed: dict[int, set[tuple[str, str]]] = {}
    repeating: set[int] = set()
    identity = functools.cache(lambda claim: sale_named(claims[claim]))
    for kind, (schema, code, field) in UNIQUENESS.items():
        frame = frames[kind]
        if not frame["claim"]:
            continue
        keys = _keys(frame, kind)
        first: dict[str, int] = {}
        for i, key in enumerate(keys):
            first.setdefault(key, i)

        place = _placer(frame, field, claims, sourcing, named, fixes)
        repeated = _repeated_rows(schema, frame, keys, len(first))
        rows_of = enumerate(frame["claim"])
        blind = {i for i, c in rows_of if c in unread} if unread else set()
        held = first_readable(keys, blind) if blind else first
        # an unread row repeats the first unread row of its key before it,
        # else the first row: whatever the chunks (`seen_before`)
        echoed = first_unread(keys, blind) if blind else {}
        claim_of = frame["claim"]
        flagged = {
            i: place(row)
            for i in repeated
            if (i in blind or held[keys[i]] < i)
            # a claim's own key again (a serial on two of its lines) is the
            # record rules' `serial_count_mismatch`, not a duplicate of itself
            and claim_of[row := _original(i, keys[i], blind, first, held, echoed)]
            != claim_of[i]
        }
        if seen is not None:
            earlier = seen.add(kind, [(k, place(i)) for k, i in held.items()])
            flagged.update({i: earlier[k] for i, k in enumerate(keys) if k in earlier})
            if blind:
                flagged.update(seen_before(seen, kind, keys, blind, held, place))
        another: set[int] = set()
        if kind == "invoice_line":
            flagged, another = same_quantity(frame, keys, flagged, blind, seen, place)
        flagged, another = settle(kind, claim_of, flagged, another, blind, fixes, seen, place)
        for claim, fix in unread_fixed(
            kind, keys, claim_of, blind, flagged.keys(), seen, place, identity
        ):
            fixed.setdefault(claim, set()).add(fix)
        repeating.update(claim_of[i] for i in flagged)
        problems += _repeat_problems(
            frame, flagged, another, blind, claims, sourcing, code, field
        )
    if seen is not None and fixed:
        seen.add(RESUBMITTED, only_fixes(fixed, repeating))
    return problems


def _repeat_problems(
    frame: Columns,
    flagged: dict[int, str],
    another: AbstractSet[int],
    blind: AbstractSet[int],
    claims: Sequence[Claim],
    sourcing: Sequence[Sourcing],
    code: ReasonCode,
    field: str,
) -> list[Problem]:
    """One kind's repeating rows (row -> where its original stands) as problems."""
    problems: list[Problem] = []
    for i, original in sorted(flagged.items()):
        shown = frame["shown"][i]
        said = _already(shown, original)
        found = code
        if i in another:  # a person decides (`claimflow.validate.line_quantity`)
            found = ReasonCode.POSSIBLE_DUPLICATE
            said += ANOTHER.format(units=frame["units"][i].replace(",", ", "))
        if i not in blind and _received_before(claims[frame["claim"][i]], original):
            # The repeat was received before the claim taken as its
            # original (the batch's order is its files' as named): which
            # is the sale is a person's call, not the file order's
            # (trials 17 and 19: the genuine earlier sale was closed).
            found, said = ReasonCode.POSSIBLE_DUPLICATE, f"{said}, though received before it"
        problems.append(
            sourcing[frame["claim"][i]].problem(found, field, said, frame["line"][i])
        )
    return problems


def _original(
    i: int,
    key: str,
    blind: AbstractSet[int],
    first: dict[str, int],
    held: dict[str, int],
    echoed: dict[str, int],
) -> int:
    """The row row `i` repeats: a readable row's first readable row; an
    unread row's first unread row of the key if before it, else the first."""
    if i not in blind:
        return held[key]
    row = echoed[key]
    return row if row < i else first[key]


def _placer(
    frame: Columns,
    field: str,
    claims: Sequence[Claim],
    sourcing: Sequence[Sourcing],
    named: dict[int, str],
    fixes: Fixes = Fixes.NONE,
) -> Callable[[int], str]:
    """Row -> its key index place: where it stands, then its claim as named
    and its `Stamp` (`named` caches each claim's for every kind)."""
    places: dict[tuple[int, int | None], str] = {}

    def place(i: int) -> str:
        # the serials of one claim line share their place: render it once
        at = (frame["claim"][i], frame["line"][i])
        found = places.get(at)
        if found is None:
            claim = at[0]
            suffix = named.get(claim)
            if suffix is None:
                suffix = _APART + earlier_claim(claims[claim])
                stamp = Stamp.of(fixes, claim)
                if stamp:
                    suffix += _APART + stamp
                named[claim] = suffix
            found = places[at] = sourcing[claim].where(field, at[1]) + suffix
        return found

    return place


_RECEIVED = re.compile(r"\((?:participant .*, )?received (\d{4}-\d{2}-\d{2})\) $")


def _received_before(claim: Claim, original: str) -> bool:
    """Whether `claim` was received on an earlier day than the original its
    key index place names (`earlier_claim`'s day received).

    Whoever's it is: the claim received first is the sale's original, as
    ``dedupe claims`` takes it across batches, and closing it instead tells
    the participant they claimed it before in a claim received after it
    (trial 31: a 10 November original closed as the duplicate of its own
    4 December resubmission, and counted 17 business days late).
    """
    match = _RECEIVED.search(_named(original))
    return match is not None and claim.received_at.date().isoformat() < match[1]


def earlier_claim(claim: Claim) -> str:
    """The earlier claim as an in-batch duplicate's message names it before
    where it stands: its reference, participant and day received.

    `claimflow.validate.notice_values.earlier_in_batch` reads it back.

    Example: ``earlier_claim(c) == "on claim KW-1001 (participant 10001,
    received 2026-10-20) "``
    """
    named = f"on claim {claim.claim_ref} " if claim.claim_ref else ""
    who = f"participant {claim.participant_id}, " if claim.participant_id else ""
    return f"{named}({who}received {claim.received_at.date().isoformat()}) "


def _already(shown: str, original: str) -> str:
    """``'X' already claimed on claim A (...) at a.csv:row 2:Serials``: the
    key index holds a place as where it stands (first, so that a file's
    keys are forgotten by its name) and the claim, apart."""
    where, _, _ = original.partition(_APART)
    return f"{shown!r} already claimed {_named(original)}at {where}"


def _named(place: str) -> str:
    """A key index place's claim as named (`earlier_claim`)."""
    return place.split(_APART)[1] if _APART in place else ""


def _repeated_rows(
    schema: pa.DataFrameSchema, frame: Columns, keys: list[str], distinct: int
) -> list[int]:
    """The rows of `frame` that fail the uniqueness `schema`, as pandera says.

    Only rows whose key comes up more than once can fail, so pandera reads
    those rows alone (in order: the first of each key stays clean); distinct
    keys (the usual chunk) need no frame at all.
    """
    if distinct == len(keys):
        return []
    counts = Counter(keys)
    rows = [i for i, key in enumerate(keys) if counts[key] > 1]
    columns = {c: [frame[c][i] for i in rows] for c in schema.columns}
    return [rows[i] for i in _failed_rows(schema, columns)]


def _total_problems(
    totals: Columns,
    claims: Sequence[Claim],
    sourcing: Sequence[Sourcing],
    client: ResolvedClient | None = None,
) -> list[Problem]:
    """Claims whose stated total is not the sum of their lines."""
    problems: list[Problem] = []

    def shown(amount: Decimal | None) -> str:
        if client is None or amount is None:
            return str(amount)
        return money(amount, client.config.currency, client.config.locale)

    for i in _failed_rows(TOTALS, totals):
        if totals["line"][i] != 1:
            continue  # one problem per claim, on its first line's total
        claim = claims[totals["claim"][i]]
        assert isinstance(claim, SalesClaim)
        lines_sum = sum(
            (ln.line_total for ln in claim.lines if ln.line_total is not None),
            Decimal(0),
        )
        problems.append(
            sourcing[totals["claim"][i]].problem(
                ReasonCode.CLAIM_TOTAL_MISMATCH,
                "claim_total",
                f"expected the sum of the lines {shown(lines_sum)}, "
                f"found {shown(claim.claim_total)}",
            )
        )
    return problems
