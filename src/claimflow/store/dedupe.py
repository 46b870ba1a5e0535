"""Claim dedupe against history: what `claimflow.dedupe` asks of the store.

Inputs are a client, a batch (or all its claims) and plain values; outputs
are candidate rows, each a tuple in a documented order. The rules (which
pair is a duplicate, which goes to review) stay in `claimflow.dedupe`.

Matching (`claimflow.dedupe.matching`), set-based, a statement per rule:

- `probed`: while open, the claims checked are in ``temp.probe`` and their
  keys (from ``claims.keys``) in ``temp.probe_keys``, a stay's member key
  also under the other accounts a live merge made one member with its own;
- `serial_candidates`, `exact_candidates`, `fuzzy_candidates`: the probed
  claims' keys meeting stored ones through the ``claim_serials`` and
  ``claim_keys`` indexes (history is never loaded whole);
- `involved`, `involved_facts`, `involved_serials`: what is compared of the
  claims of the candidate pairs, through ``temp.involved``
  (`involved_keyed_serials`: their serials as keyed, to quote them;
  `involved_links`: the resubmission that superseded each superseded one).

Migration 35 (`m035_invoice_line_index`) indexes the dealer + SKU +
quantity keys without their quantity: the same invoice line claimed again
with another quantity is met on the stored keys, those of earlier releases
too (they do not change).

A run (`claimflow.dedupe.claims`) also counts the claims it checked
(`count_open_claims`) and meets pended claims field by field
(`pended_repeat_rows`). What it finds, and what reviewers decide, is
recorded through `claimflow.store.dedupe_decisions`.

SQLite's own, for a server backend to write its way: ``json_each`` over a
claim's ``keys``, ``serials`` and ``lines`` (``jsonb_array_elements``), the
``->>`` paths ``'$.field'`` and ``0`` (``->> 'field'``, ``->> 0``),
``json_extract``, ``date(day, '+n days')`` (date arithmetic), ``CREATE TEMP
TABLE ... AS`` and ``DROP TABLE temp.x`` (``CREATE TEMP TABLE`` works there
too, without the ``temp.`` schema), and ``MATERIALIZED``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from claimflow.store import review_decisions as _earlier  # noqa: F401 (registers 2-34)
from claimflow.store.accounts import merged_accounts
from claimflow.store.ledger import STANDS
from claimflow.store.schema import migrations

if TYPE_CHECKING:
    from claimflow.models import Claim
    from claimflow.store import Store

#: The fields that name a sale or a stay, by claim kind: (the claim's
#: fields, its lines' fields), as `claimflow.dedupe.claims` compares them.
Identity = Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]

# The claims a dedupe run checks: open ones (accepted or pended); those
# ingest held in review as a repeat within their batch received before its
# original (the earliest received is the original: this run decides it);
# and those verification sent to review (an overlapping stay, a name that
# differs): a review there must not hide that the claim repeats another
# (trial 32: the same stay claimed again, imported before dedupe ran, stayed
# an 'overlap' to clear, and a reviewer clearing it paid the stay twice).
_LAST_STAGE = (
    "(SELECT o.stage FROM outcomes o WHERE o.claim_id = claims.id "
    "ORDER BY o.id DESC LIMIT 1)"
)
_OPEN = (
    "FROM claims WHERE client = ? {where} AND (outcome IN ('accepted', 'pended') "
    "OR (outcome = 'review' AND (" + _LAST_STAGE + " = 'verify' OR (EXISTS "
    "(SELECT 1 FROM problems p WHERE p.claim_id = claims.id "
    "AND p.code = 'possible_duplicate' AND p.field IS NOT NULL) "
    "AND " + _LAST_STAGE + " = 'validate'))))"
)

# The keys of the claims checked, from their rows (``claims.keys``: history's
# are met through the block index). Every rule needs a date and a value.
_PROBE_KEYS_SQL = """
CREATE TEMP TABLE probe_keys AS
SELECT claim_id, client, block, day, value FROM (
    SELECT c.id AS claim_id, c.client, j.value ->> 0 AS block,
           j.value ->> 1 AS day, j.value ->> 2 AS value
    FROM probe p CROSS JOIN claims c, json_each(c.keys) j WHERE c.id = p.id
) AS keyed WHERE day IS NOT NULL AND value IS NOT NULL
"""

# A member's stays at a hotel (``mh|account|hotel``) across the accounts a
# live merge made one member (`merged_accounts`): each probed claim's key is
# also put under the member's other accounts, so that a stay keyed under
# either number meets the other's (the block names the account as keyed).
_MERGED_KEYS_SQL = """
INSERT INTO probe_keys (claim_id, client, block, day, value)
SELECT k.claim_id, k.client,
       'mh|' || m.other || '|' || substr(k.block, length(m.account) + 5),
       k.day, k.value
FROM probe_keys k JOIN probe_accounts m
  ON m.account = substr(k.block, 4, instr(substr(k.block, 4), '|') - 1)
WHERE k.block LIKE 'mh|%'
"""

#: A dealer + SKU + quantity block (``ds|D-1|DRL-200|2``) without its
#: quantity (``ds|D-1|DRL-200|``): the invoice line, whatever the units
#: claimed of it. A quantity is written in digits (a minus at most), so
#: trimming them stops at the ``|`` before it.
_LINE = "rtrim({}, '-0123456789')"


@migrations()
def m035_invoice_line_index(db: Database) -> None:
    """Index the invoice keys by invoice line: dealer + SKU without the quantity.

    Trial 35: a paid invoice line (2 units) claimed again for 1 unit shared
    no key with it (the quantity is in the block, so that look-alike invoice
    numbers of other sales stay apart) and was paid again. The exact rule
    now meets the same invoice of the same dealer and SKU whatever its
    quantity, through this index; the stored keys do not change.
    """
    db.execute(
        f"CREATE INDEX claim_keys_line ON claim_keys(client, {_LINE.format('block')}, "
        "value, day) WHERE block LIKE 'ds|%'"
    )


# The exact rules: the same invoice (dealer + SKU block, whatever the
# quantity: `_LINE`, within invoice_days) or confirmation (hotel block, within
# near_days), the same rep + SKU + quantity (near_days), a member's stays at
# a hotel (arrivals within stay_days, overlap checked after). Each row also
# gives the other claim's block (its quantity, for an invoice). Stores
# before schema 15 also hold ``|=``-suffixed exact blocks, which migration
# 15 drops.
_EXACT_SQL = f"""
WITH pk AS (
    SELECT k.claim_id, k.client, k.block, k.day, k.value,
        CASE WHEN k.block LIKE 'mh|%' THEN :stay_days
             ELSE :near_days END AS w
    FROM probe_keys k WHERE k.block NOT LIKE 'ds|%'
), line AS (
    SELECT k.claim_id, k.client, k.block, {_LINE.format("k.block")} AS line,
        k.day, k.value
    FROM probe_keys k WHERE k.block LIKE 'ds|%'
)
SELECT pk.claim_id, pk.block, pk.day, pk.value, h.claim_id, h.day, h.value, h.block
FROM pk CROSS JOIN claim_keys h
WHERE h.client = pk.client AND h.block = pk.block
  AND h.day BETWEEN date(pk.day, '-' || pk.w || ' days')
                AND date(pk.day, '+' || pk.w || ' days')
  AND h.claim_id != pk.claim_id
  AND (pk.block LIKE 'mh|%' OR h.value = pk.value)
UNION ALL
SELECT line.claim_id, line.block, line.day, line.value, h.claim_id, h.day, h.value,
    h.block
FROM line CROSS JOIN claim_keys h
WHERE h.client = line.client AND h.block LIKE 'ds|%'
  AND {_LINE.format("h.block")} = line.line AND h.value = line.value
  AND h.day BETWEEN date(line.day, '-' || :invoice_days || ' days')
                AND date(line.day, '+' || :invoice_days || ' days')
  AND h.claim_id != line.claim_id
"""


def _folded(column: str) -> str:
    """SQL folding OCR look-alikes in a normalised key, as `fold_key` does."""
    for letter, digit in zip("OILSBZ", "011582", strict=True):
        column = f"replace({column}, '{letter}', '{digit}')"
    return column


# Look-alike invoices (dealer + SKU + quantity) and confirmations (hotel) of
# claims dated within near_days: a re-keyed document keeps its date. Keys come
# out folded, to be compared in one vectorised call.
_FUZZY_SQL = f"""
WITH pk AS (
    SELECT k.claim_id, k.client, k.block, k.day, k.value
    FROM probe_keys k
    WHERE k.block LIKE 'ds|%' OR k.block LIKE 'h|%'
)
SELECT pk.claim_id, pk.block, {_folded("pk.value")}, h.claim_id, {_folded("h.value")}
FROM pk CROSS JOIN claim_keys h
WHERE h.client = pk.client AND h.block = pk.block
  AND h.day BETWEEN date(pk.day, '-' || :near_days || ' days')
                AND date(pk.day, '+' || :near_days || ' days')
  AND h.claim_id != pk.claim_id AND h.value != pk.value
"""

# The probed claims' serials come from their rows (``claims.serials``),
# history's from the (client, serial) index.
_SERIALS_SQL = """
SELECT p.id, j.value, o.claim_id
FROM probe p CROSS JOIN claims c, json_each(c.serials) j CROSS JOIN claim_serials o
WHERE c.id = p.id AND o.client = c.client AND o.serial = j.value
  AND o.claim_id != p.id
"""


def _open(batch_id: int | None) -> str:
    return _OPEN.format(where="AND batch_id = ?" if batch_id is not None else "")


def _open_params(client: str, batch_id: int | None) -> list[object]:
    return [client] + ([batch_id] if batch_id is not None else [])


@contextmanager
def probed(store: Store, client: str, batch_id: int | None) -> Iterator[None]:
    """Put the open claims of `client` (of `batch_id`, or all) and their keys
    in temporary tables for the candidate queries; dropped on leaving.

    Example: ``with probed(store, "acme-tools", 3): rows = list(serial_candidates(store))``
    """
    conn = store.db.conn
    conn.execute("DROP TABLE IF EXISTS temp.probe")
    conn.execute("DROP TABLE IF EXISTS temp.probe_keys")
    conn.execute(
        f"CREATE TEMP TABLE probe AS SELECT id {_open(batch_id)}",
        _open_params(client, batch_id),
    )
    conn.execute(_PROBE_KEYS_SQL)
    _merged_member_keys(store, client)
    try:
        yield
    finally:
        conn.execute("DROP TABLE temp.probe")
        conn.execute("DROP TABLE temp.probe_keys")


def _merged_member_keys(store: Store, client: str) -> None:
    """Add to ``temp.probe_keys`` each probed stay's member key under the
    other accounts of its member (`_MERGED_KEYS_SQL`); none without a merge."""
    pairs = [
        (account, other)
        for account, group in merged_accounts(store, client).items()
        for other in group
        if other != account
    ]
    if not pairs:
        return
    conn = store.db.conn
    conn.execute("DROP TABLE IF EXISTS temp.probe_accounts")
    conn.execute(
        "CREATE TEMP TABLE probe_accounts (account TEXT, other TEXT, "
        "PRIMARY KEY (account, other))"
    )
    try:
        conn.executemany("INSERT INTO probe_accounts VALUES (?, ?)", pairs)
        conn.execute(_MERGED_KEYS_SQL)
    finally:
        conn.execute("DROP TABLE temp.probe_accounts")


def serial_candidates(store: Store) -> Iterator[tuple[str, str, str]]:
    """Probed claims sharing a serial with another stored claim, inside `probed`.

    Returns:
        Rows (probed claim, serial, other claim).

    Example: ``list(serial_candidates(store))``
    """
    rows: Iterator[tuple[str, str, str]] = store.db.conn.execute(_SERIALS_SQL)
    return rows


#: A row of `exact_candidates`.
Exact = tuple[str, str, str, str | None, str, str, str | None, str]


def exact_candidates(store: Store, days: Mapping[str, int]) -> Iterator[Exact]:
    """Probed claims' keys meeting stored ones exactly, inside `probed`.

    An invoice key meets those of the same dealer, SKU and invoice with any
    quantity (the other claim's block says which).

    Args:
        store: the store.
        days: the windows ``near_days``, ``invoice_days`` and ``stay_days``.

    Returns:
        Rows (probed claim, block, day, value, other claim, its day, its
        value, its block).

    Example: ``list(exact_candidates(store, {"near_days": 3, ...}))``
    """
    rows: Iterator[Exact] = store.db.conn.execute(_EXACT_SQL, dict(days))
    return rows


def fuzzy_candidates(
    store: Store, near_days: int, chunk: int
) -> Iterator[list[tuple[str, str, str, str, str]]]:
    """Probed invoices and confirmations meeting other values of the same
    block dated within `near_days`, inside `probed`, in lists of `chunk` rows.

    Returns:
        Rows (probed claim, block, its value folded, other claim, its value
        folded): OCR look-alikes folded as `claimflow.validate.batch.fold_key`
        folds them.

    Example: ``next(fuzzy_candidates(store, 3, 200_000), [])``
    """
    rows = store.db.conn.execute(_FUZZY_SQL, {"near_days": near_days})
    while found := rows.fetchmany(chunk):
        yield found


@contextmanager
def involved(store: Store, ids: set[str]) -> Iterator[None]:
    """Put claim ids in ``temp.involved`` for `involved_facts` and
    `involved_serials`; dropped on leaving.

    Example: ``with involved(store, {"c1"}): facts = list(involved_facts(store))``
    """
    conn = store.db.conn
    conn.execute("CREATE TEMP TABLE involved (id TEXT PRIMARY KEY)")
    try:
        conn.executemany("INSERT INTO involved VALUES (?)", [(i,) for i in ids])
        yield
    finally:
        conn.execute("DROP TABLE temp.involved")


#: A row of `involved_facts`.
Facts = tuple[
    str, str, int, str | None, str, str | None, str | None, str, int, int, str | None
]

#: SQL: claim ``c`` was pended for its received time (the batch's time
#: stood in for one that could not be read, or it was keyed in the future):
#: its received time is no evidence of when it came.
STAND_IN = (
    "EXISTS (SELECT 1 FROM problems p WHERE p.claim_id = c.id "
    "AND p.field = 'received_at')"
)


def involved_facts(store: Store) -> Iterator[Facts]:
    """What is compared of each involved claim, inside `involved`.

    Returns:
        Rows (claim, received at, rowid, participant, source, invoice or
        confirmation number as keyed, activity date, outcome, paid: 1 when
        an award posting of the claim stands, no reversal pointing at it,
        stand-in: 1 when the claim was pended for its received time,
        participant as keyed: a merge may since have filed the claim under
        another).

    Example: ``next(involved_facts(store))[0]``
    """
    rows: Iterator[Facts] = store.db.conn.execute(
        "SELECT c.id, c.received_at, c.rowid, c.participant_id, c.source, "
        "coalesce(json_extract(c.data, '$.invoice_number'), "
        "json_extract(c.data, '$.confirmation_number')), c.activity_date, "
        "c.outcome, EXISTS (SELECT 1 FROM ledger l WHERE l.claim_id = c.id "
        f"AND l.entry_type = 'award' AND l.points > 0 AND {STANDS}), {STAND_IN}, "
        "json_extract(c.data, '$.participant_id') "
        "FROM involved i JOIN claims c ON c.id = i.id"
    )
    return rows


def involved_serials(store: Store) -> Iterator[tuple[str, str]]:
    """Each involved claim's serials (normalised), inside `involved`.

    Example: ``list(involved_serials(store))``
    """
    rows: Iterator[tuple[str, str]] = store.db.conn.execute(
        "SELECT c.id, j.value FROM involved i "
        "JOIN claims c ON c.id = i.id, json_each(c.serials) j"
    )
    return rows


def involved_keyed_serials(store: Store) -> Iterator[tuple[str, str]]:
    """Each involved claim's serials as keyed on its lines, inside `involved`:
    what people are shown (``DR-00000017``), where `involved_serials` gives
    what was compared (``DR17``).

    Example: ``list(involved_keyed_serials(store))``
    """
    rows: Iterator[tuple[str, str]] = store.db.conn.execute(
        "SELECT c.id, s.value FROM involved i JOIN claims c ON c.id = i.id, "
        "json_each(c.data, '$.lines') l, json_each(l.value, '$.serial_numbers') s"
    )
    return rows


def involved_links(store: Store) -> Iterator[tuple[str, str]]:
    """The involved claims that are superseded, each with the claim that
    superseded it (``claim_links``; of two links, the later), inside
    `involved`.

    Returns:
        Rows (superseded claim, its resubmission).

    Example: ``dict(involved_links(store)) == {"c1": "c2"}``
    """
    rows: Iterator[tuple[str, str]] = store.db.conn.execute(
        "SELECT c.id, k.claim_id FROM involved i JOIN claims c ON c.id = i.id "
        "JOIN claim_links k ON k.supersedes = c.id WHERE c.outcome = 'superseded' "
        "ORDER BY k.id"
    )
    return rows


def count_open_claims(store: Store, client: str, batch_id: int | None) -> int:
    """The open (accepted or pended) claims of `client`, of `batch_id` or all.

    Example: ``count_open_claims(store, "acme-tools", None)``
    """
    (count,) = store.db.execute(
        f"SELECT count(*) {_open(batch_id)}", _open_params(client, batch_id)
    ).fetchone()
    return int(count)


def claims_with_ids(store: Store, ids: Collection[str]) -> Iterator[list[Claim]]:
    """Stored claims with these ids, whole and typed, in chunks (in no set order).

    Example: ``[c.id for chunk in claims_with_ids(store, {"c1"}) for c in chunk]``
    """
    return store.claims(f"WHERE c.id IN ({','.join('?' * len(ids))})", sorted(ids))


def _lacking(kind: str, header: Sequence[str], line_fields: Sequence[str]) -> str:
    """SQL: claim ``o`` of `kind` lacks a value naming its sale or stay (serial
    numbers are optional: an empty list lacks nothing)."""
    lacks = [f"o.data ->> '$.{f}' IS NULL" for f in header]
    if line_fields:
        empty = " OR ".join(
            f"l.value ->> '$.{f}' IS NULL" for f in line_fields if f != "serial_numbers"
        )
        lacks.append(
            f"EXISTS (SELECT 1 FROM json_each(o.data, '$.lines') l WHERE {empty})"
        )
    return f"(o.kind = '{kind}' AND ({' OR '.join(lacks)}))"


# Open claims (of one batch, or all) meeting the earlier pended claims of the
# same participant that were pended for a field naming the sale or stay and
# lack a value naming it, when the two are keyed with the same document
# number or date. Pended claims are found through their problems (far fewer
# rows than claims); all claims meet them through the (client, participant)
# index, a batch's claims through the batch index (`{pair}` sets the order).
_PENDED_REPEATS_SQL = """
WITH old AS MATERIALIZED (
    SELECT o.id, o.kind, o.participant_id, o.received_at, o.rowid AS n, o.data,
        coalesce(o.data ->> '$.invoice_number', o.data ->> '$.confirmation_number')
            AS doc,
        coalesce(o.data ->> '$.invoice_date', o.data ->> '$.check_in') AS day,
        {old_stand_in} AS stand_in
    FROM problems p CROSS JOIN claims o
    WHERE o.id = p.claim_id AND p.field IN ({naming})
      AND o.client = :client AND o.outcome IN ('pended', 'review')
      AND o.participant_id IS NOT NULL
      AND ({lacking})
    GROUP BY o.id
)
SELECT c.id, c.received_at, c.rowid, c.data, {stand_in}, old.id, old.received_at,
    old.n, old.data, old.kind, old.stand_in
FROM {pair}
WHERE c.client = :client AND c.participant_id = old.participant_id
  AND c.kind = old.kind AND c.id != old.id AND c.outcome IN ('accepted', 'pended')
  {batch}
  AND (coalesce(c.data ->> '$.invoice_number', c.data ->> '$.confirmation_number')
           = old.doc
       OR coalesce(c.data ->> '$.invoice_date', c.data ->> '$.check_in') = old.day)
"""


def pended_repeat_rows(
    store: Store, client: str, batch_id: int | None, identity: Identity
) -> Iterator[tuple[Any, ...]]:
    """Open claims (of `batch_id`, or all) meeting an earlier-or-later pended
    claim of the same participant that lacks a value naming its sale or stay.

    The pended claims are those with a problem on a field of `identity`
    and lacking one of its values (of a line's, serial numbers aside); the
    two claims are keyed with the same document number or the same date.
    Which of them came first, and whether one repeats the other, the stage
    decides.

    Returns:
        Rows (claim, received at, rowid, data JSON, stand-in, pended claim,
        its received at, its rowid, its data JSON, kind, its stand-in): a
        stand-in is 1 when the claim was pended for its received time.

    Example: ``list(pended_repeat_rows(store, "vendas-br", None, identity))``
    """
    naming = sorted(
        {f for header, lines in identity.values() for f in (*header, *lines)}
    )
    template = _PENDED_REPEATS_SQL.format(
        naming=", ".join(f"'{f}'" for f in naming),
        lacking=" OR ".join(
            _lacking(kind, header, lines) for kind, (header, lines) in identity.items()
        ),
        pair="{pair}",
        batch="{batch}",
        stand_in=STAND_IN,
        old_stand_in=STAND_IN.replace("c.id", "o.id"),
    )
    sql = (
        template.format(pair="old CROSS JOIN claims c", batch="")
        if batch_id is None
        else template.format(
            pair="claims c CROSS JOIN old", batch="AND c.batch_id = :batch"
        )
    )
    rows: Iterator[tuple[Any, ...]] = store.db.execute(
        sql, {"client": client, "batch": batch_id}
    )
    return rows


__all__ = [
    "Exact",
    "Facts",
    "Identity",
    "claims_with_ids",
    "count_open_claims",
    "exact_candidates",
    "fuzzy_candidates",
    "involved",
    "involved_facts",
    "involved_links",
    "involved_serials",
    "pended_repeat_rows",
    "probed",
    "serial_candidates",
]
