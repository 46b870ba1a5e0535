"""Resubmissions after trial 35: a pended claim's correction, and the
claims that come after it.

The Hungarian dealer program of trial 34 (`tests.test_trial34_resubmission`),
with sales that carry no serial numbers: nothing but dedupe stands between a
sale claimed again and a second payment.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.test_cli import run
from tests.test_trial31_dedupe import _mark, _rows
from tests.test_trial34_resubmission import CLIENT, HEADER, MEMBERS, _outcomes

# R-9's sale with its serial numbers left blank (a sale without serials)
SALE = "R-9;HU10004;Nagy Ödön;K-GY-03;SZ-2026-007001;2026.10.13;HUT-300;1;{price};189 990 Ft;;"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
SOURCE = (
    "Számlaszám;Kelt;Vevő;Cikkszám;Mennyiség;Nettó összeg;Gyári számok\n"
    "SZ-2026-007001;2026-10-13;K-GY-03;HUT-300;1;189 990,00;\n"
)


def _setup(tmp_path: Path) -> list[str]:
    client = tmp_path / "hu-dealer.yaml"
    client.write_text(CLIENT, encoding="utf-8")
    return ["--client", str(client), "--db", str(tmp_path / "store.db")]


def _batch(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _award(tmp_path: Path, opts: list[str]) -> int:
    members, source = tmp_path / "tag.csv", tmp_path / "forgalom.csv"
    members.write_text(MEMBERS, encoding="utf-8")
    source.write_text(SOURCE, encoding="utf-8")
    assert run("participants", "import", str(members), *opts)[0] == 0
    code, out, err = run("source", "import", str(source), *opts)
    assert code == 0, (out, err)
    code, out, err = run("award", *opts, "--json")
    assert code in (0, 1), (out, err)
    code, out, err = run("ledger", "balance", "HU10004", *opts, "--json")
    assert code == 0, err
    return int(json.loads(out)["total"])


def test_a_sale_claimed_again_after_a_pended_claims_correction_is_its_duplicate(
    tmp_path: Path,
) -> None:
    """A (unit price '189 99O': pended invalid_number) is superseded by its
    correction B; C claims the same sale in a later batch. Before, dedupe
    found 0 duplicates (C was taken for another resubmission of A, and its
    match to B was explained by A) and B and C were both paid: 378 points.
    C is the duplicate of B, which A's resubmission is: 189 points
    (189 990 Ft x 1 per 1 000, floor), once."""
    opts = _setup(tmp_path)
    first = _batch(tmp_path, "elso.csv", SALE.format(price="189 99O") + "2026.10.14")
    fixed = _batch(tmp_path, "javitott.csv", SALE.format(price="189 990") + "2026.10.15")
    again = _batch(tmp_path, "ujra.csv", SALE.format(price="189 990") + "2026.10.20")
    assert run("ingest", str(first), *opts, "--at", "2026-10-14T13:22")[0] == 1
    assert run("ingest", str(fixed), *opts, "--at", "2026-10-15T09:00")[0] == 0
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code == 0, (out, err)
    assert len(json.loads(out)["superseded"]) == 1
    assert run("ingest", str(again), *opts, "--at", "2026-10-20T09:00")[0] == 0
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code == 1, (out, err)
    found = json.loads(out)
    assert found["duplicates"] == 1 and found["superseded"] == [], found
    duplicates = [m for m in found["matches"] if m["decision"] == "duplicate"]
    (fixed_id,) = {m["duplicate_of"] for m in duplicates}
    assert {m["original"] for m in found["matches"]} == {fixed_id}, found
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code == 0 and json.loads(out)["matches"] == [], (out, err)  # re-run: no-op
    assert _award(tmp_path, opts) == 189
    assert [(Path(s).name, o) for s, o, _ in _outcomes(opts)] == [
        ("elso.csv:row 2", "superseded"),
        ("javitott.csv:row 2", "accepted"),
        ("ujra.csv:row 2", "duplicate"),
    ]
    code, out, err = run("show", fixed_id, *opts, "--json")
    assert code == 0, err
    assert "javitott.csv:row 2" in out, out  # the correction, not A


def test_three_claims_of_one_sale_in_one_dedupe_run(tmp_path: Path) -> None:
    """A pended, its correction B and a repeat C all met in one run: both B
    and C resubmitted A, one superseded it and both were left accepted
    (378 points). The first stored supersedes it; C is B's duplicate: 189
    points."""
    opts = _setup(tmp_path)
    first = _batch(tmp_path, "elso.csv", SALE.format(price="189 99O") + "2026.10.14")
    fixed = _batch(tmp_path, "javitott.csv", SALE.format(price="189 990") + "2026.10.15")
    again = _batch(tmp_path, "ujra.csv", SALE.format(price="189 990") + "2026.10.20")
    assert run("ingest", str(first), *opts, "--at", "2026-10-14T13:22")[0] == 1
    assert run("ingest", str(fixed), *opts, "--at", "2026-10-15T09:00")[0] == 0
    assert run("ingest", str(again), *opts, "--at", "2026-10-20T09:00")[0] == 0
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert code == 1, (out, err)
    found = json.loads(out)
    assert found["duplicates"] == 1 and len(found["superseded"]) == 1, found
    [link] = found["superseded"]
    assert {m["duplicate_of"] for m in found["matches"]} - {""} == {link["claim_id"]}
    assert _award(tmp_path, opts) == 189
    assert [(Path(s).name, o) for s, o, _ in _outcomes(opts)] == [
        ("elso.csv:row 2", "superseded"),
        ("javitott.csv:row 2", "accepted"),
        ("ujra.csv:row 2", "duplicate"),
    ]


STAYS_HEADER = (
    "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
    "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
)
STAY = (
    "CA-9101;300112457;José Núñez Peña;CAZ-MAD;MD9100001;02/10/2026;05/10/2026;"
    "{amount};EUR;BAR;Directo;F-1;{received};sí\n"
)


@pytest.mark.parametrize("in_sets", [False, True])
def test_a_stays_resubmission_is_no_overlap_with_the_claim_it_superseded(
    tmp_path: Path, in_sets: bool
) -> None:
    """A superseded claim is never an original, at verification either: its
    resubmission's stay is not 'another stay of the account' on the same
    dates (before, the correction went to review, overlapping_stay, naming
    the claim it had superseded)."""
    from claimflow import Store, ingest, load_client
    from claimflow.dedupe.claims import dedupe_claims
    from claimflow.verify.run import verify_claims_per_claim
    from claimflow.verify.sets import verify_in_sets
    from claimflow.verify.source import import_source
    from tests.conftest import SAMPLES

    costa = load_client(SAMPLES / "clients" / "costa-azul.yaml")
    store = Store.open(tmp_path / "store.db")
    first, fixed = tmp_path / "octubre.csv", tmp_path / "noviembre.csv"
    first.write_text(
        STAYS_HEADER + STAY.format(amount="400,0O", received="20/10/2026"),
        encoding="utf-8",
    )
    fixed.write_text(
        STAYS_HEADER + STAY.format(amount="400,00", received="10/11/2026"),
        encoding="utf-8",
    )
    stays = tmp_path / "stays.csv"
    stays.write_text(
        "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
        "currency,rate_code,booking_channel,folio_number\n"
        "CAZ-MAD,MD9100001,NUNEZ PENA/JOSE MR,2026-10-02,2026-10-05,400.00,EUR,BAR,"
        "DIRECT,F-1\n",
        encoding="utf-8",
    )
    ingest([first], costa, store)
    ingest([fixed], costa, store)
    assert len(dedupe_claims(store, costa, now=NOW).superseded) == 1
    with store.transaction():
        import_source(store, costa, stays, NOW)
    (verify_in_sets if in_sets else verify_claims_per_claim)(store, costa, now=NOW)
    assert [
        (Path(source).name, outcome)
        for source, outcome in store.db.execute(
            "SELECT source, outcome FROM claims ORDER BY rowid"
        )
    ] == [("octubre.csv:row 2", "superseded"), ("noviembre.csv:row 2", "accepted")]


# Trial 35, finding 3: the Swedish installer program (se/nordkok.yaml, its
# notices and SLA terms left out), 1 point per 10 kr pro rata, half up.
NORDKOK = """\
schema_version: 1
client: nordkok
name: Nordkök Installatörsbonus
kind: sales
locale: sv_SE
language: en
date_order: YMD
currency: SEK
timezone: Europe/Stockholm
claim_window_days: 60
columns:
  claim_ref: ["Ärendenr"]
  participant_id: ["Medlemsnr"]
  participant_name: ["Namn"]
  dealer_id: ["Butik"]
  invoice_number: ["Kvittonr", "Fakturanr"]
  invoice_date: ["Köpdatum"]
  sku: ["Artikel"]
  quantity: ["Antal"]
  unit_price: ["Styckpris"]
  line_total: ["Belopp"]
  received_at: ["Inkommen"]
formats:
  participant_id: '^SE\\d{5}$'
eligible_skus: [UGN-60, DISK-45, KYL-180]
verification:
  required: false
sla: {turnaround_days: 10, first_response_hours: 16, on_time_target: 0.9,
      max_error_rate: 0.005}
calendar: {country: SE}
award:
  activity_date: invoice_date
  currency: SEK
  rounding_mode: half_up
  rounding_scope: claim
  pending_days: 0
  expiry: {policy: none}
  products:
    UGN-60: {group: ovens}
    DISK-45: {group: dishwashers}
  rule_sets:
    - version: "2026-H2"
      effective_from: 2026-07-01
      rules:
        - {id: spend, kind: per_currency, points: 1, per: 10, basis: pro_rata}
        - {id: ovens, kind: per_unit, points: 200, scope: {groups: [ovens]}}
"""
NK = (
    '{{"Ärendenr": "NK-10{n}", "Medlemsnr": "SE10005", "Namn": "Maja Berg", '
    '"Butik": "B04", "Kvittonr": "K-800{n}", "Köpdatum": "2026-11-2{day}", '
    '"Inkommen": "{received}", "Artikel": "DISK-45", "Antal": 1, '
    '"Styckpris": "{price}", "Belopp": "{price}"}}\n'
)


def test_a_pended_claim_dedupe_moved_to_review_is_superseded_by_its_fix(
    tmp_path: Path,
) -> None:
    """NK-103, pended for '3990.00' (invalid_number: written like 1 234,56),
    went to review at ``dedupe claims``: a look-alike of NK-102's receipt
    K-8002. Its participant resent it as the notice asked ('3 990,00');
    the next run closed the fix as a duplicate of NK-103 itself, the
    participant was told 'already claimed ... in claim NK-103', and nothing
    was paid for the sale. The fix supersedes NK-103, and the look-alike
    question moves to it; a reviewer marking the pair different, it is paid:
    3 990 kr x 1 per 10 = 399 points, with NK-102's 399: 798."""
    client = tmp_path / "nordkok.yaml"
    client.write_text(NORDKOK, encoding="utf-8")
    opts = ["--client", str(client), "--db", str(tmp_path / "store.db")]
    portal, fixed = tmp_path / "portal.jsonl", tmp_path / "resubmit_nk103.jsonl"
    portal.write_text(
        NK.format(n=2, day=6, received="2026-12-03", price="3 990,00")
        + NK.format(n=3, day=7, received="2026-12-03", price="3990.00"),
        encoding="utf-8",
    )
    fixed.write_text(
        NK.format(n=3, day=7, received="2026-12-04", price="3 990,00"), encoding="utf-8"
    )
    assert run("ingest", str(portal), *opts, "--at", "2026-12-03T15:00")[0] == 1
    code, out, err = run("dedupe", "claims", *opts, "--json")
    assert (code, json.loads(out)["to_review"]) == (1, 1), (out, err)
    assert [o for _, o, _ in _outcomes(opts)] == ["accepted", "review"]
    notices = tmp_path / "notices"
    assert run("ingest", str(fixed), *opts, "--at", "2026-12-04T10:00")[0] == 0
    code, out, err = run("dedupe", "claims", *opts, "--notices", str(notices))
    assert code == 1, (out, err)
    assert "NK-103 (resubmit_nk103.jsonl:row 1) resubmits pended claim NK-103" in out
    assert "duplicate of" not in out and not list(notices.glob("*")), out
    assert [(Path(s).name, o, r) for s, o, r in _outcomes(opts)] == [
        ("portal.jsonl:row 1", "accepted", ""),
        ("portal.jsonl:row 2", "superseded", "invalid_number,possible_duplicate"),
        ("resubmit_nk103.jsonl:row 1", "review", "possible_duplicate"),
    ]
    review = tmp_path / "review.csv"
    code, out, err = run("dedupe", "review", *opts, "--out", str(review))
    assert code == 0, (out, err)
    # the look-alike receipt and the same sale days apart: both the fix's
    assert {
        (row["a_ref"], Path(row["a_source"]).name, row["b_ref"]) for row in _rows(review)
    } == {("NK-103", "resubmit_nk103.jsonl:row 1", "NK-102")}
    _mark(review, "different")
    code, out, err = run("dedupe", "apply", str(review), "--db", opts[3])
    assert code == 0 and "1 back to their earlier outcome" in out, (out, err)
    code, out, err = run("award", *opts, "--json")
    assert code == 0, (out, err)
    code, out, err = run("ledger", "balance", "SE10005", *opts, "--json")
    assert code == 0, err
    assert json.loads(out)["total"] == 798
