"""Trial 45: claimflow as a library in a Polish hotel desk's portal service.

The portal sends claims as JSON; the service ingests them, awards and reads
balances, each result as JSON for its own API, and runs ingests from
several threads on one SQLite store.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_currency

import claimflow
from claimflow import ResolvedClient, StoreError, UnreadableInput

CLIENT = """\
schema_version: 1
client: perla
name: Perła Rewards
kind: stay
locale: pl_PL
date_order: DMY
currency: PLN
timezone: Europe/Warsaw
claim_window_days: 120
eligible_hotels: [PRL-WAW, PRL-KRK]
calendar: {country: PL}
award:
  activity_date: check_out
  currency: PLN
  rounding_mode: half_up
  rounding_scope: claim
  pending_days: 0
  rule_sets:
    - version: "2026"
      effective_from: 2026-01-01
      rules:
        - {id: base, kind: per_currency, points: 10, per: 10, basis: bracket}
"""

AT = "2026-11-20T10:00:00+01:00"


def stay(ref: str, confirmation: str, revenue: str) -> str:
    """One claim object as the portal writes it; `revenue` is JSON text."""
    return (
        f'{{"claim_ref": "{ref}", "member_number": "10000001", '
        f'"name": "Pawe\\u0142 Kowalski", "hotel": "PRL-WAW", '
        f'"confirmation": "{confirmation}", "arrival": "2026-11-02", '
        f'"departure": "2026-11-05", "room_revenue": {revenue}, '
        f'"received": "{AT}"}}'
    )


@pytest.fixture
def perla(tmp_path: Path) -> ResolvedClient:
    path = tmp_path / "perla.yaml"
    path.write_text(CLIENT, encoding="utf-8")
    return claimflow.load_client(path)


def test_an_exponent_amount_is_stored_plain_and_awarded(
    perla: ResolvedClient, tmp_path: Path
) -> None:
    # 1e3 and 1.5E2 were accepted as Decimal('1E+3') and stored as the text
    # '1E+3', which the store's reader refused: award, verify and replay of
    # the batch stopped with a pydantic traceback
    text = f"[{stay('PL-1', 'WAW10001', '1e3')}, {stay('PL-2', 'WAW10002', '1.5E2')}]"
    oracle = [c["room_revenue"] for c in json.loads(text, parse_float=Decimal)]
    assert oracle == [Decimal(1000), Decimal(150)]
    path = tmp_path / "portal.json"
    path.write_text(text, encoding="utf-8")
    with claimflow.Store.open(tmp_path / "s.db") as store:
        batch = claimflow.ingest([path], perla, store, operator="portal", workers=1)
        assert batch.outcomes[claimflow.Outcome.ACCEPTED] == 2
        (claims,) = store.claims("ORDER BY c.rowid")
        assert [str(c.qualifying_revenue) for c in claims] == ["1000", "150"]
        run = claimflow.award_claims(perla, store, operator="portal")
        replayed = claimflow.replay_claims(perla, store)
    # 1000 zł: 100 whole brackets of 10 zł at 10 points; 150 zł: 15 of them
    assert [a.points for a in run.awards] == [100 * 10, 15 * 10]
    assert run.points == 1150
    assert json.loads(claimflow.strict_json(run.to_dict()))["points"] == 1150
    assert replayed.to_dict()["changed"] == 0


def test_float_noise_is_pended_and_a_babel_amount_text_is_read(
    perla: ResolvedClient, tmp_path: Path
) -> None:
    shown = format_currency(Decimal("12345.67"), "PLN", locale="pl_PL")
    text = (
        f"\ufeff[{stay('PL-3', 'WAW10003', '1234.5600000000001')}, "
        f"{stay('PL-4', 'WAW10004', json.dumps(shown))}]"
    )
    noisy = json.loads(text[1:], parse_float=Decimal)[0]["room_revenue"]
    assert -noisy.as_tuple().exponent == 13  # what the portal wrote, exactly
    path = tmp_path / "portal.json"
    path.write_text(text, encoding="utf-8")
    result = claimflow.check([path], perla, workers=1)
    (problem,) = result.problems
    assert (problem.source.row, problem.source.field) == (1, "room_revenue")
    assert problem.code == claimflow.ReasonCode.INVALID_NUMBER
    assert "13 decimals where PLN has 2" in problem.message
    with claimflow.Store.open(tmp_path / "s.db") as store:
        claimflow.ingest([path], perla, store, operator="portal", workers=1)
        (claims,) = store.claims("ORDER BY c.rowid")
    assert claims[1].qualifying_revenue == Decimal("12345.67")


def test_keys_no_field_reads_are_noted_not_dropped(
    perla: ResolvedClient, tmp_path: Path
) -> None:
    claim = stay("PL-5", "WAW10005", "250").replace("{", '{"nights": 3, ', 1)
    path = tmp_path / "portal.json"
    path.write_text(f'{{"portal": "v2", "claims": [{claim}]}}', encoding="utf-8")
    result = claimflow.check([path], perla, workers=1)
    assert result.records == 1
    assert result.to_dict()["files"][0]["notes"] == [
        "key 'portal' beside the 'claims' list not read (they belong to no claim)",
        "key 'nights' (row 1) not read (no claim field: the client's columns "
        "section can name one)",
    ]


def test_a_field_holding_an_object_refuses_the_file(
    perla: ResolvedClient, tmp_path: Path
) -> None:
    # {"amount": ...} was skipped and the claim accepted without its revenue
    good = stay("PL-6", "WAW10006", "250")
    bad = stay("PL-7", "WAW10007", '{"amount": "500.00", "currency": "PLN"}')
    path = tmp_path / "portal.json"
    path.write_text(f"[{good}, {bad}]", encoding="utf-8")
    with claimflow.Store.open(tmp_path / "s.db") as store:
        with pytest.raises(UnreadableInput) as caught:
            claimflow.ingest([path], perla, store, operator="portal", workers=1)
        assert store.count("claims") == 0 and store.count("batches") == 0
    assert (caught.value.file, caught.value.where) == (str(path), "row 2:room_revenue")
    assert "expected one value for qualifying_revenue, found an object" in str(
        caught.value
    )


def test_threads_open_their_own_store_and_a_shared_one_says_so(
    perla: ResolvedClient, tmp_path: Path
) -> None:
    db = tmp_path / "s.db"
    paths = []
    for i in range(2):
        path = tmp_path / f"b{i}.json"
        claims = ", ".join(stay(f"T{i}-{k}", f"WAW{i}{k:04d}", "100") for k in range(50))
        path.write_text(f"[{claims}]", encoding="utf-8")
        paths.append(path)
    errors: list[BaseException] = []

    def run(path: Path, store: claimflow.Store | None) -> None:
        try:
            if store is not None:
                claimflow.ingest([path], perla, store, operator="t", workers=1)
                return
            with claimflow.Store.open(db) as own:
                claimflow.ingest([path], perla, own, operator="t", workers=1)
        except BaseException as exc:  # the test reports whatever came out
            errors.append(exc)

    with claimflow.Store.open(db) as shared:
        # a store opened here, used in another thread: sqlite3's
        # ProgrammingError came out of the library as a traceback
        thread = threading.Thread(target=run, args=(paths[0], shared))
        thread.start()
        thread.join()
        assert [type(e) for e in errors] == [StoreError]
        assert "open one in each thread" in str(errors[0])
        assert shared.count("batches") == 0
    errors.clear()
    threads = [threading.Thread(target=run, args=(p, None)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with claimflow.Store.open(db) as store:
        assert store.count("batches") == 2 and store.count("claims") == 100
