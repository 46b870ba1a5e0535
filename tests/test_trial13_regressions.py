"""Regressions a new user found (trial 13, the Jakarta desk).

1. ``claimflow replay --since 2026-11-01`` reported ``1 changed ...
   e498d624fbcf-r10: duplicate -> accepted; reasons
   ['duplicate_invoice_line_in_batch'] -> []`` with unchanged rules (exit 1)
   while ``--all`` and ``--batch`` gave 0 changes: the claim (JK-008) is an
   in-batch duplicate of JK-001, received in October, so left out by --since.
2. Duplicate keys in a client YAML were silently accepted (last wins):
   ``products:`` listing ``TV-55`` twice, in two groups, with other points.
3. ``27/11/2026 09:00`` in the received column of a DMY client gave
   ``Diterima: expected a date as DD/MM/YYYY, found '27/11/2026 09:00'
   (invalid_date)``, and the claim's received time silently became the
   instant of ingest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.errors import ConfigError
from claimflow.replay import replay
from claimflow.values import ValueContext, parse_datetime
from tests.test_cli import run

CLIENT = """\
schema_version: 1
client: jakarta-desk
name: Program Insentif Penjualan Jakarta
kind: sales
locale: id_ID
language: en
date_order: DMY
currency: IDR
timezone: Asia/Jakarta
claim_window_days: 90
require_proof: false
columns:
  claim_ref: ["No. Klaim"]
  participant_id: ["ID Peserta"]
  participant_name: ["Nama Peserta"]
  dealer_id: ["Kode Dealer"]
  invoice_number: ["No. Faktur"]
  invoice_date: ["Tgl Faktur"]
  sku: ["Kode Produk"]
  quantity: ["Jumlah"]
  unit_price: ["Harga Satuan"]
  line_total: ["Total"]
  received_at: ["Diterima"]
eligible_skus: [TV-55, TV-65, AC-05, KUL-200]
"""
AWARD = """\
award:
  activity_date: invoice_date
  currency: IDR
  products:
    TV-55: {group: tv, brand: jd}
    TV-65: {group: tv, brand: jd}
    TV-55: {group: ac, brand: jd}
  rule_sets:
    - version: "2026.10"
      effective_from: 2026-10-01
      rules:
        - {id: tv-unit, kind: per_unit, points: 50, scope: {groups: [tv]}}
"""
HEADER = (
    "No. Klaim;ID Peserta;Nama Peserta;Kode Dealer;No. Faktur;Tgl Faktur;"
    "Kode Produk;Jumlah;Harga Satuan;Total;Diterima\n"
)
JAKARTA = timezone(timedelta(hours=7))
PROCESSED = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)


def _row(ref: str, invoice: str, sold: str, received: str, sku: str = "TV-55") -> str:
    return (
        f"{ref};3100001;Budi Santoso;DLR-JKT01;{invoice};{sold};{sku};2;"
        f"7.500.000;15.000.000;{received}\n"
    )


@pytest.fixture
def jakarta(write: Callable[..., Path]) -> ResolvedClient:
    return load_client(write("jakarta-desk.yaml", CLIENT))


def _ingested(store: Store, client: ResolvedClient, path: Path) -> dict[str, object]:
    ingest([path], client, store, processed_at=PROCESSED, received_at=PROCESSED)
    return {
        ref: (outcome, received)
        for ref, outcome, received in store.db.execute(
            "SELECT json_extract(data, '$.claim_ref'), outcome, received_at "
            "FROM claims ORDER BY rowid"
        )
    }


# 1. replay --since ---------------------------------------------------------


def test_since_replay_keeps_in_batch_original_received_before_the_window(
    store: Store, jakarta: ResolvedClient, write: Callable[..., Path]
) -> None:
    """Found: ``--since 2026-11-01`` gave ``e498d624fbcf-r10: duplicate ->
    accepted; reasons ['duplicate_invoice_line_in_batch'] -> []`` with
    unchanged rules; ``--all`` gave 0 changes."""
    path = write(
        "klaim_oktober.csv",
        HEADER
        + _row("JK-001", "FK-100001", "05/10/2026", "2026-10-12T09:00")
        + _row("JK-004", "FK-100004", "28/10/2026", "2026-10-29T09:30", "TV-65")
        + _row("JK-008", "FK-100001", "05/10/2026", "2026-11-02T09:00"),
    )
    outcomes = _ingested(store, jakarta, path)
    assert outcomes["JK-008"][0] == "duplicate"  # type: ignore[index]

    whole = replay(store, jakarta)
    since = replay(store, jakarta, since=date(2026, 11, 1))

    assert (whole.claims, whole.changes) == (3, [])
    assert (since.claims, since.changes, since.exit_code) == (1, [], 0)


def test_since_replay_keeps_in_window_original_of_later_row_outside_it(
    store: Store, jakarta: ResolvedClient, write: Callable[..., Path]
) -> None:
    """A claim outside the window that comes later in the batch is the
    duplicate, not the original: its keys join the index at its own place."""
    path = write(
        "klaim.csv",
        HEADER
        + _row("JK-020", "FK-100020", "30/10/2026", "2026-11-02T09:00")
        + _row("JK-021", "FK-100020", "30/10/2026", "2026-10-31T09:00")
        + _row("JK-022", "FK-100020", "30/10/2026", "2026-11-03T09:00"),
    )
    outcomes = _ingested(store, jakarta, path)
    assert [o for o, _ in outcomes.values()] == [  # type: ignore[misc]
        "accepted",
        "review",  # received before JK-020: never closed by it (trial 31)
        "duplicate",
    ]

    result = replay(store, jakarta, since=date(2026, 11, 1))

    assert (result.claims, result.changes) == (2, [])


def test_since_replay_skips_batches_wholly_before_the_window(
    store: Store, jakarta: ResolvedClient, write: Callable[..., Path]
) -> None:
    october = write(
        "a.csv", HEADER + _row("JK-001", "FK-100001", "05/10/2026", "2026-10-12T09:00")
    )
    november = write(
        "b.csv", HEADER + _row("JK-030", "FK-100030", "05/11/2026", "2026-11-12T09:00")
    )
    ingest([october], jakarta, store, processed_at=PROCESSED)
    ingest([november], jakarta, store, processed_at=PROCESSED)

    result = replay(store, jakarta, since=date(2026, 11, 1))

    assert (result.claims, result.changes) == (1, [])


# 2. duplicate YAML keys ----------------------------------------------------


def test_duplicate_product_key_is_refused_with_file_line_and_path(
    write: Callable[..., Path],
) -> None:
    """Found: ``products:`` listing ``TV-55`` twice (the second in another
    group) was accepted, the last one winning silently."""
    path = write("jakarta-desk.yaml", CLIENT + AWARD)

    with pytest.raises(ConfigError) as caught:
        load_client(path)

    assert str(caught.value) == (
        f"{path}: line 31: award.products.TV-55: duplicate key "
        "(first at line 29; only one may be given)"
    )


def test_duplicate_key_in_a_list_item_names_its_index(
    write: Callable[..., Path],
) -> None:
    text = CLIENT + AWARD.replace("    TV-55: {group: ac, brand: jd}\n", "").replace(
        "points: 50,", "points: 50, points: 75,"
    )
    with pytest.raises(ConfigError, match=r"award\.rule_sets\[0\]\.rules\[0\]\.points"):
        load_client(write("c.yaml", text))


def test_duplicate_top_level_key_is_refused(write: Callable[..., Path]) -> None:
    with pytest.raises(
        ConfigError, match=r"line 25: date_order: duplicate key \(first at line 7"
    ):
        load_client(write("c.yaml", CLIENT + "date_order: MDY\n"))


def test_merge_key_override_is_no_duplicate(write: Callable[..., Path]) -> None:
    text = CLIENT.replace(
        "require_proof: false\n",
        "require_proof: false\nx-base: &base {group: tv, brand: jd}\n",
    ).replace("schema_version: 1\n", "")
    text = "schema_version: 1\n" + text
    award = (
        "award:\n  activity_date: invoice_date\n  currency: IDR\n  products:\n"
        "    TV-55: {<<: *base, group: tv}\n"
        "  rule_sets:\n    - version: '1'\n      effective_from: 2026-10-01\n"
        "      rules: [{id: u, kind: per_unit, points: 50}]\n"
    )
    # The anchor's own key is unknown to the schema; the merge itself is read.
    with pytest.raises(ConfigError) as caught:
        load_client(write("c.yaml", text + award))
    assert "duplicate key" not in str(caught.value)
    assert "x-base" in str(caught.value)


def test_cli_refuses_duplicate_key_on_one_line_exit_2(
    write: Callable[..., Path],
) -> None:
    client = write("jakarta-desk.yaml", CLIENT + AWARD)
    claims = write("k.csv", HEADER)

    code, _, err = run("check", str(claims), "--client", str(client))

    assert code == 2
    assert err.strip().count("\n") == 0
    assert "line 31: award.products.TV-55: duplicate key" in err


# 3. received date-time in the desk's date order ----------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/11/2026 09:00", (date(2026, 11, 27), time(9))),
        ("27/11/2026 09:00:30", (date(2026, 11, 27), time(9, 0, 30))),
        ("27-11-2026 9.05", (date(2026, 11, 27), time(9, 5))),
        ("27/11/2026T09:00", (date(2026, 11, 27), time(9))),
        ("27/11/2026 09:00 +07:00", (date(2026, 11, 27), time(9, tzinfo=JAKARTA))),
        ("27/11/2026 09:00Z", (date(2026, 11, 27), time(9, tzinfo=UTC))),
    ],
)
def test_parse_datetime_reads_the_clients_date_order(
    text: str, expected: tuple[date, time]
) -> None:
    assert parse_datetime(text, "DMY") == expected


@pytest.mark.parametrize(
    "text", ["27/11/2026 25:00", "27/11/2026 09:61", "31/11/2026 09:00", "27/11 09:00"]
)
def test_parse_datetime_refuses_what_it_cannot_read(text: str) -> None:
    assert parse_datetime(text, "DMY") == (
        f"expected a date and time as DD/MM/YYYY HH:MM, found {text!r}"
    )


def test_parse_datetime_month_first() -> None:
    assert parse_datetime("11/27/2026 09:00", "MDY") == (date(2026, 11, 27), time(9))
    assert "swapped" in str(parse_datetime("27/11/2026 09:00", "MDY"))


def test_received_datetime_in_desk_order_is_read_in_the_desk_zone(
    store: Store, jakarta: ResolvedClient, write: Callable[..., Path]
) -> None:
    """Found: ``Diterima: expected a date as DD/MM/YYYY, found '27/11/2026
    09:00' (invalid_date)``, the claim then received at the ingest time."""
    path = write(
        "k.csv",
        HEADER
        + _row("JK-101", "FK-100101", "20/11/2026", "27/11/2026 09:00")
        + _row("JK-102", "FK-100102", "20/11/2026", "27/11/2026 09:00:30")
        + _row("JK-103", "FK-100103", "20/11/2026", "27/11/2026 09:00 +00:00"),
    )
    assert _ingested(store, jakarta, path) == {
        "JK-101": ("accepted", "2026-11-27T09:00:00+07:00"),
        "JK-102": ("accepted", "2026-11-27T09:00:30+07:00"),
        "JK-103": ("accepted", "2026-11-27T09:00:00+00:00"),
    }


def test_unreadable_received_time_is_pended_not_judged_on_the_batch_time(
    store: Store, jakarta: ResolvedClient, write: Callable[..., Path]
) -> None:
    """Chosen: a received value keyed but unreadable pends the claim with an
    ``invalid_date`` problem that names the batch time standing in; the
    checks of the received day (claim window, date after receipt) are not
    run on that stand-in, so a sale of August is not rejected as late."""
    path = write(
        "k.csv",
        HEADER + _row("JK-103", "FK-100103", "20/08/2026", "27/11/2026 25:00"),
    )
    assert _ingested(store, jakarta, path) == {
        "JK-103": ("pended", PROCESSED.isoformat()),
    }
    problems = list(store.db.execute("SELECT field, code, message FROM problems"))
    assert problems == [
        (
            "received_at",
            "invalid_date",
            "expected a date and time as DD/MM/YYYY HH:MM, found '27/11/2026 "
            "25:00'; the batch's time 2026-12-03 14:00 WIB stands in until "
            "the desk corrects it",
        )
    ]


def test_received_date_alone_still_reads_and_message_names_both_forms() -> None:
    from claimflow.models import SalesClaim

    context = ValueContext(date_order="DMY", zone=JAKARTA)
    base = {"id": "x", "client": "c", "provenance": {"file": "f", "row": 1}}
    claim = SalesClaim.model_validate(
        {**base, "received_at": "27/11/2026"}, context=context
    )
    assert claim.received_at == datetime(2026, 11, 27, tzinfo=JAKARTA)
    with pytest.raises(ValueError, match=r"DD/MM/YYYY or DD/MM/YYYY HH:MM, found 'x'"):
        SalesClaim.model_validate({**base, "received_at": "x"}, context=context)
