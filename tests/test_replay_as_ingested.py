"""Replay under unchanged rules reads and judges each claim as the live run did.

Trial 30 (a Bangkok retro-stay desk): a same-rules replay reported
"2 changed, -249 points". An Excel check-in typed as a datetime cell was
stored as untyped ISO text and refused on replay as a keyed date; a claim
verified before a later batch was ingested met that batch's stay on replay
(``overlapping_stay``). Each case: unchanged rules replay to no change, and
a real rule change still shows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.award.run import award_claims
from claimflow.models import Provenance, RawRecord
from claimflow.parse.participants import read_participants
from claimflow.replay import replay
from claimflow.store import raw_from_json, raw_json
from claimflow.verify.run import verify_claims
from claimflow.verify.source import import_source

CLIENT = """\
schema_version: 1
client: siam-stays
name: Siam Palms Rewards
kind: stay
locale: th_TH
language: en
date_order: DMY
currency: THB
timezone: Asia/Bangkok
claim_window_days: 90
require_proof: false
columns:
  participant_id: ["Member No"]
  member_name: ["Guest"]
  hotel_code: ["Hotel"]
  confirmation_number: ["Confirmation"]
  check_in: ["Check-in"]
  check_out: ["Check-out"]
  qualifying_revenue: ["Room revenue"]
  received_at: ["Received"]
  claim_ref: ["Ref"]
eligible_hotels: [SP-BKK, SP-CNX]
award:
  activity_date: check_out
  currency: THB
  rounding_mode: floor
  rounding_scope: claim
  pending_days: 0
  expiry: {policy: fixed, months: 24}
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 1, per: 25, basis: bracket}
        - {id: nights, kind: per_unit, unit: nights, points: NIGHTS}
"""
HEADER = ["Ref", "Member No", "Guest", "Hotel", "Confirmation", "Check-in",
          "Check-out", "Room revenue", "Received"]  # fmt: skip
MEMBERS = """\
participant_id,first_name,last_name,email,phone,tier,enrolled_on,status
10000001,Somchai,Jaidee,s@mail.example,,,2024-02-01,active
10000003,Wichai,Srisuk,w@mail.example,,,2024-02-01,active
"""
SOURCE = """\
hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,currency,rate_code,booking_channel,folio_number
SP-BKK,BK100001,JAIDEE/SOMCHAI MR,2026-11-01,2026-11-04,4500.00,THB,BAR,DIRECT,F-1001
SP-BKK,BK199999,JAIDEE/SOMCHAI MR,2026-11-03,2026-11-06,3000.00,THB,BAR,DIRECT,F-1099
"""
NOW = datetime(2026, 12, 4, 3, tzinfo=UTC)


def _client(tmp_path: Path, nights: int = 100, name: str = "siam.yaml") -> ResolvedClient:
    path = tmp_path / name
    path.write_text(CLIENT.replace("NIGHTS", str(nights)), encoding="utf-8")
    return load_client(path)


def _csv(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([",".join(HEADER), *rows]) + "\n", encoding="utf-8")
    return path


def _changes(store: Store, client: ResolvedClient, rules: ResolvedClient | None = None
             ) -> list[tuple[str, str, list[str], list[str], int]]:  # fmt: skip
    found = replay(store, client, rules=rules, now=NOW).changes
    return [(c.outcome_from, c.outcome_to, c.reasons_from, c.reasons_to, c.delta)
            for c in found]  # fmt: skip


# -- a) a typed Excel date/datetime cell reads on replay as ingest read it --


def _excel_datetimes(tmp_path: Path, store: Store, client: ResolvedClient) -> Path:
    """TH-104 as the trial's retro_nov.xlsx row 7: check-in and check-out are
    Excel datetime cells with a time; ingested, accepted and awarded."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["TH-104", "10000003", "Wichai Srisuk", "SP-BKK", "BK110004",
                  datetime(2026, 11, 16, 14), datetime(2026, 11, 18, 12), 1234.5,
                  datetime(2026, 11, 30, 15)])  # fmt: skip
    path = tmp_path / "retro_nov.xlsx"
    book.save(path)
    ingest([path], client, store, processed_at=NOW)
    members = tmp_path / "members.csv"
    members.write_text(MEMBERS, encoding="utf-8")
    with store.transaction():
        store.upsert_participants(list(read_participants(members, client.key)))
    award_claims(store, client, now=NOW)
    return path


def _check_excel_replay(tmp_path: Path, store: Store) -> None:
    client = _client(tmp_path)
    path = _excel_datetimes(tmp_path, store, client)
    # Oracle: openpyxl's own reading of the cells, independent of claimflow.
    cell = openpyxl.load_workbook(path).active["F2"]  # type: ignore[index]
    assert (cell.is_date, cell.value) == (True, datetime(2026, 11, 16, 14))
    [[claim]] = store.claims("WHERE c.client = ?", [client.key])
    assert (claim.check_in, claim.check_out) == (  # type: ignore[union-attr]
        date(2026, 11, 16),
        date(2026, 11, 18),
    )
    assert claim.id in {  # accepted and awarded at ingest, as in the trial
        row[0] for row in store.db.execute("SELECT claim_id FROM awards")
    }
    # 1234.5 THB: 49 base points (per 25, bracketed) + 2 nights x 100
    assert replay(store, client, now=NOW).claims == 1
    assert _changes(store, client) == []
    # A real rule change still shows: 150 points a night, +100 on two nights.
    assert _changes(store, client, _client(tmp_path, 150, "siam-150.yaml")) == [
        ("accepted", "accepted", [], [], 100)
    ]


def test_excel_datetime_cells_replay_as_ingested(tmp_path: Path) -> None:
    _check_excel_replay(tmp_path, Store.open(tmp_path / "th.db"))


def test_excel_datetime_cells_replay_as_ingested_on_postgres(
    tmp_path: Path, pg_url: str
) -> None:
    _check_excel_replay(tmp_path, Store.open(pg_url))


@pytest.mark.parametrize(
    "value, tag",
    [
        (datetime(2026, 11, 16, 14), '{"dt":"2026-11-16T14:00:00"}'),
        (date(2026, 11, 2), '{"da":"2026-11-02"}'),
        (time(14, 30), '{"t":"14:30:00"}'),
        (Decimal("1234.5"), '{"d":"1234.5"}'),
        ("2026-11-16T14:00:00", '"2026-11-16T14:00:00"'),
    ],
)
def test_typed_cells_are_stored_tagged_and_read_back_typed(
    value: object, tag: str
) -> None:
    raw = RawRecord(Provenance(file="f.xlsx", row=7), {"check_in": value}, (),
                    {"check_in": "Check-in"}, "")  # fmt: skip
    shared: dict[object, object] = {}
    text = raw_json(raw, shared)  # type: ignore[arg-type]
    assert f'"v":[{tag}]' in text
    headers = {h.digest: h.text for h in shared.values()}  # type: ignore[attr-defined]
    back = raw_from_json(text, headers).values["check_in"]
    assert (back, type(back)) == (value, type(value))


def test_a_datetime_stored_as_text_by_an_earlier_release_stays_text() -> None:
    """Rows stored before the tags read as they always did: untyped text."""
    text = (
        '{"source": {"file": "retro_nov.xlsx", "row": 7}, "values": '
        '{"check_in": "2026-11-16T14:00:00", "qualifying_revenue": {"d": "1234.5"}}, '
        '"lines": [], "field_sources": {}, "content_hash": ""}'
    )
    assert raw_from_json(text).values == {
        "check_in": "2026-11-16T14:00:00",
        "qualifying_revenue": Decimal("1234.5"),
    }


# -- b) a claim is verified on replay against what its live run knew --

TH_001 = "TH-001,10000001,Somchai Jaidee,SP-BKK,BK100001,01/11/2026,04/11/2026,4500.00,20/11/2026 10:00"  # noqa: E501
TH_199 = "TH-199,10000001,Somchai Jaidee,SP-BKK,BK199999,03/11/2026,06/11/2026,3000.00,20/11/2026 09:00"  # noqa: E501


def _two_batches(tmp_path: Path, store: Store, verify_between: bool) -> ResolvedClient:
    client = _client(tmp_path)
    source = tmp_path / "pms_nov.csv"
    source.write_text(SOURCE, encoding="utf-8")
    with store.transaction():
        import_source(store, client, source, NOW)
    ingest([_csv(tmp_path, "stays_nov.csv", TH_001)], client, store, processed_at=NOW)
    if verify_between:
        verify_claims(store, client, now=NOW)
    ingest([_csv(tmp_path, "retro_nov.csv", TH_199)], client, store, processed_at=NOW)
    verify_claims(store, client, now=NOW)
    return client


def _live_reasons(store: Store) -> dict[str, set[str]]:
    """Oracle: the reasons the live runs stored, straight from the store."""
    found: dict[str, set[str]] = {}
    for claim_id, code in store.db.execute("SELECT claim_id, code FROM problems"):
        found.setdefault(str(claim_id), set()).add(str(code))
    refs = dict(store.db.execute("SELECT id, json_extract(data, '$.claim_ref') FROM claims"))
    return {refs[c]: codes for c, codes in found.items()}


def _check_history_replay(tmp_path: Path, store: Store, verify_between: bool) -> None:
    client = _two_batches(tmp_path, store, verify_between)
    live = _live_reasons(store)
    # TH-199 met TH-001 (stored before it) and overlaps it; TH-001 met TH-199
    # only when both batches were stored before it was verified.
    assert live["TH-199"] == {"overlapping_stay"}
    assert ("overlapping_stay" in live.get("TH-001", set())) is not verify_between
    assert _changes(store, client) == []
    # A real rule change still shows: SP-BKK no longer eligible.
    no_bkk = tmp_path / "no-bkk.yaml"
    no_bkk.write_text(
        CLIENT.replace("NIGHTS", "100").replace("[SP-BKK, SP-CNX]", "[SP-CNX]"),
        encoding="utf-8",
    )
    changed = _changes(store, client, load_client(no_bkk))
    assert len(changed) == 2
    assert all("ineligible_hotel" in reasons for _, _, _, reasons, _ in changed)


@pytest.mark.parametrize("verify_between", [True, False])
def test_replay_verifies_against_the_history_the_live_run_knew(
    tmp_path: Path, verify_between: bool
) -> None:
    _check_history_replay(tmp_path, Store.open(tmp_path / "th.db"), verify_between)


def test_replay_verifies_against_the_history_the_live_run_knew_on_postgres(
    tmp_path: Path, pg_url: str
) -> None:
    _check_history_replay(tmp_path, Store.open(pg_url), True)


@pytest.mark.sqlite_only(reason="makes an earlier release's rows with SQLite's own DDL")
def test_a_verification_stored_before_its_last_batch_was_kept(tmp_path: Path) -> None:
    """Results stored by an earlier release (no ``last_batch``) are replayed
    against their claim's own batch and those before it."""
    store = Store.open(tmp_path / "th.db")
    client = _two_batches(tmp_path, store, True)
    with store.transaction():
        store.db.execute("DROP TRIGGER verifications_no_update")
        store.db.execute("UPDATE verifications SET last_batch = NULL")
    assert _changes(store, client) == []
