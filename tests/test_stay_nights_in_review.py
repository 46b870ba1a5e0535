"""A person's acceptance never pays a member's nights twice.

Member 300120031 (Costa Azul Rewards, no tier) claims two stays whose
nights overlap: CA-101 at CAZ-MAD, 10-14 Nov 2026 (nights of 10, 11, 12
and 13 Nov), and CA-102 at CAZ-VLC, 12-15 Nov 2026 (nights of 12, 13 and
14 Nov). Both match the hotels' records, and verification sends both to
review (``overlapping_stay``), each naming the other.

Points by hand (rules 2026, ``basis: bracket``: whole 10 EUR of room
revenue; no tier, so no elite bonus):
- CA-101, CAZ-MAD (brand costa-azul, rule ``base``: 25 per 10 EUR):
  412.50 EUR -> 41 whole brackets x 25 = 1,025 points;
- CA-102, CAZ-VLC (brand azul-urban, rule ``base-urban``: 12.5 per 10 EUR):
  300.00 EUR -> 30 whole brackets x 12.5 = 375 points.

Before, a person could accept one, then the other (``claimflow decide``),
and ``award`` paid both: 1,025 + 375 = 1,400 points, the nights of 12 and
13 Nov paid twice (at two hotels: the member cannot sleep in both). Now
the second acceptance is refused whole (a person cannot accept half a
claim), naming the claim that holds the nights: the member is paid 1,025,
or 375 once CA-101's award is reversed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from claimflow import ClaimflowError, Store, decide_claim, load_client
from tests.conftest import SAMPLES
from tests.test_cli import run

COSTA = str(SAMPLES / "clients/costa-azul.yaml")
MEMBERS = str(SAMPLES / "costa-azul/participants.csv")
HEADER = (
    "Referencia;Socio;Nombre;Hotel;Confirmacion;Llegada;Salida;Importe habitacion;"
    "Moneda;Recibido;Folio adjunto\n"
)
CA_101 = (
    "CA-101;300120031;François Dupré;CAZ-MAD;MD5510001;10/11/2026;14/11/2026;"
    "412,50;EUR;20/11/2026;si\n"
)
CA_102 = (
    "CA-102;300120031;François Dupré;CAZ-VLC;VL5520002;12/11/2026;15/11/2026;"
    "300,00;EUR;21/11/2026;si\n"
)
SOURCE = (
    "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
    "currency,rate_code,booking_channel,folio_number\n"
    "CAZ-MAD,MD5510001,DUPRE/FRANCOIS MR,2026-11-10,2026-11-14,412.50,EUR,BAR,DIRECT,F-101\n"
    "CAZ-VLC,VL5520002,DUPRE/FRANCOIS MR,2026-11-12,2026-11-15,300.00,EUR,BAR,DIRECT,F-102\n"
)


def _cf(db: Path, *args: str) -> tuple[int, str]:
    code, out, err = run(*args, "--client", COSTA, "--db", str(db))
    assert "Traceback" not in out + err
    return code, out + err


def _outcomes(db: Path) -> dict[str, str]:
    code, out = _cf(db, "export", "claims", "--out", "-")
    assert code == 0, out
    return {
        r["claim_ref"]: r["outcome"]
        for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
    }


def _points(db: Path) -> dict[str, int]:
    """Oracle: each claim's net ledger points, straight from the store."""
    with Store.open(db) as store:
        return {
            str(ref): int(points)
            for ref, points in store.db.execute(
                "SELECT json_extract(c.data, '$.claim_ref'), sum(l.points) FROM ledger l "
                "JOIN claims c ON c.id = l.claim_id GROUP BY c.id"
            )
        }


def _decide(db: Path, claim: str, decision: str) -> tuple[int, str]:
    return _cf(db, "decide", claim, decision, "--reason", "folios checked",
               "--operator", "ann")  # fmt: skip


def _both_in_review(tmp_path: Path, write: Callable[..., Path]) -> Path:
    db = tmp_path / "costa.db"
    assert _cf(db, "participants", "import", MEMBERS)[0] == 0
    assert _cf(db, "source", "import", str(write("pms.csv", SOURCE)))[0] in (0, 1)
    assert _cf(db, "ingest", str(write("noviembre.csv", HEADER + CA_101 + CA_102)))[0] in (0, 1)
    _cf(db, "verify")
    assert _outcomes(db) == {"CA-101": "review", "CA-102": "review"}
    _cf(db, "award")
    assert _points(db) == {}
    return db


REFUSED = (
    "claim CA-102 (noviembre.csv:row 3): accept refused: expected none of its "
    "nights on another accepted claim of member 300120031, found the nights of 2026-11-12 and "
    "2026-11-13 on claim CA-101 (noviembre.csv:row 2) (CAZ-MAD, 2026-11-10 to "
    "2026-11-14, {state}): accepted, they would be paid twice; reject it, or "
    "reverse the other claim's award (ledger reverse) first{when}"
)
PAID = REFUSED.format(state="paid", when="")
UNPAID = REFUSED.format(
    state="to be paid by the next award", when=", once award has paid it"
)


def _decisions(db: Path) -> int:
    with Store.open(db) as store:
        return store.count("review_decisions")


def test_a_second_acceptance_of_the_same_nights_is_refused(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = _both_in_review(tmp_path, write)
    assert _decide(db, "CA-101", "accept")[0] == 0
    _cf(db, "award")
    assert _points(db) == {"CA-101": 1025}  # 41 x 25
    code, out = _decide(db, "CA-102", "accept")
    assert code == 2
    # one line: the claim, the decision refused, the other claim and the nights
    assert out == f"claimflow: error: {PAID}\n", out
    assert _outcomes(db) == {"CA-101": "accepted", "CA-102": "review"}
    assert _decisions(db) == 1
    _cf(db, "award")
    assert _points(db) == {"CA-101": 1025}  # not 1,025 + 375 = 1,400
    # Rejecting it stays open to the person, and the same rules replay it.
    assert _decide(db, "CA-102", "reject")[0] == 0
    code, out = _cf(db, "replay", "--all")
    assert code == 0 and "0 changed" in out, out


def test_an_accepted_claim_not_paid_yet_holds_its_nights_too(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """CA-101 accepted, no award run since: the next award would pay both."""
    db = _both_in_review(tmp_path, write)
    client = load_client(Path(COSTA))
    with Store.open(db) as store:
        decide_claim("CA-101", "accept", client, store, reason="folio checked")
        with pytest.raises(ClaimflowError) as refused:
            decide_claim("CA-102", "accept", client, store, reason="folio checked")
        assert str(refused.value) == UNPAID
        assert store.count("review_decisions") == 1


def test_once_the_other_award_is_reversed_the_nights_are_free(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """CA-101 paid, then refunded (``ledger reverse``: void): its nights no
    longer count, and CA-102 may be accepted and paid 375 (30 x 12.5)."""
    db = _both_in_review(tmp_path, write)
    _decide(db, "CA-101", "accept")
    _cf(db, "award")
    assert _cf(db, "ledger", "reverse", "CA-101", "--reason", "stay cancelled")[0] == 0
    assert _decide(db, "CA-102", "accept")[0] == 0
    _cf(db, "award")
    assert _points(db) == {"CA-101": 0, "CA-102": 375}  # 1,025 - 1,025, and 375
    code, out = _cf(db, "replay", "--all")
    assert code == 0 and "0 changed" in out, out


CA_301 = (
    "CA-301;300120031;François Dupré;CAZ-MAD;MD5510001;10/11/2026;14/11/2026;"
    "412,50;EUR;25/11/2026;si\n"
)
CA_304 = (
    "CA-304;300120031;François Dupré;CAZ-MAD;MD5510007;12/11/2026;15/11/2026;"
    "300,00;EUR;21/11/2026;si\n"
)
SOURCE_304 = (
    SOURCE
    + "CAZ-MAD,MD5510007,DUPRE/FRANCOIS MR,2026-11-12,2026-11-15,300.00,EUR,BAR,DIRECT,F-104\n"
)


def _marked_different(tmp_path: Path, db: Path) -> Path:
    """``dedupe review``, its one pair (CA-301, CA-304) marked different."""
    out = tmp_path / "reviewed.csv"
    assert _cf(db, "dedupe", "review", "--out", str(out))[0] == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["a_ref"], r["b_ref"]) for r in rows] == [("CA-301", "CA-304")]
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**r, "decision": "different"} for r in rows)
    return out


def test_a_stay_marked_different_is_not_paid_nights_another_claim_was_paid(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """CA-301 (CAZ-MAD, 10-14 Nov, received 25 Nov) verifies first. CA-304
    (CAZ-MAD, 12-15 Nov, received 21 Nov; its confirmation a keying slip
    from CA-301's) arrives later: ``dedupe claims`` sends CA-301 to review
    beside it (same member and hotel, overlapping dates), and verification
    sends CA-304 to review for CA-301's nights; a person accepts CA-304 and
    award pays it 750 (300.00 EUR: 30 x 25). Before, a reviewer marking the
    pair different gave CA-301 back its accepted outcome and award paid it
    1,025 more (412.50 EUR: 41 x 25): the nights of 12 and 13 Nov twice.
    Now the marks are refused, naming the nights, and nothing is stored."""
    db = tmp_path / "costa.db"
    _cf(db, "participants", "import", MEMBERS)
    _cf(db, "source", "import", str(write("pms.csv", SOURCE_304)))
    _cf(db, "ingest", str(write("first.csv", HEADER + CA_301)))
    _cf(db, "verify")
    _cf(db, "ingest", str(write("second.csv", HEADER + CA_304)))
    _cf(db, "dedupe", "claims")
    _cf(db, "verify")
    assert _outcomes(db) == {"CA-301": "review", "CA-304": "review"}
    assert _decide(db, "CA-304", "accept")[0] == 0
    _cf(db, "award")
    assert _points(db) == {"CA-304": 750}
    reviewed = _marked_different(tmp_path, db)
    code, out, err = run("dedupe", "apply", str(reviewed), "--db", str(db))
    assert code == 2
    assert " ".join(err.split()) == (
        f"claimflow: error: {reviewed}: row 2: claim CA-301 (first.csv:row 2): marked "
        "different, it would be accepted again: expected none of its nights on another "
        "accepted claim of member 300120031, found the nights of 2026-11-12 and "
        "2026-11-13 on claim CA-304 (second.csv:row 2) (CAZ-MAD, 2026-11-12 to "
        "2026-11-15, paid): accepted, they would be paid twice; mark it same, or "
        "reverse the other claim's award (ledger reverse) first"
    ), err
    with Store.open(db) as store:
        assert store.count("dedupe_decisions") == 0
    _cf(db, "award")
    assert (_outcomes(db), _points(db)) == (
        {"CA-301": "review", "CA-304": "accepted"}, {"CA-304": 750}
    )
    # CA-304 refunded (void): its nights are free, and the same marks give
    # CA-301 back its outcome; award pays it 1,025.
    _cf(db, "ledger", "reverse", "CA-304", "--reason", "stay cancelled")
    code, out, err = run("dedupe", "apply", str(reviewed), "--db", str(db))
    assert code == 0, err
    _cf(db, "award")
    assert _points(db) == {"CA-304": 0, "CA-301": 1025}
    code, out = _cf(db, "replay", "--all")
    assert code == 0 and "0 changed" in out, out


def test_two_clerks_accepting_the_two_stays_at_once_pay_the_nights_once(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """Ten rounds, each a pair of stays of member 300120031 overlapping on
    two nights (A: CAZ-MAD, 4 nights, 412.50 EUR, 1,025 points; B: CAZ-VLC
    from A's third night, 3 nights, 300.00 EUR, 375 points), both in review.
    Two clerks' processes accept A and B at the same moment: one wins, the
    other is refused in one line, and award pays the winner alone."""
    import multiprocessing
    from datetime import date, timedelta

    from tests.store.test_concurrency import _writer

    rounds = 10
    claims, source = [], []
    for n in range(rounds):
        start = date(2026, 9, 1) + timedelta(days=6 * n)
        a_in, a_out = start, start + timedelta(days=4)
        b_in, b_out = start + timedelta(days=2), start + timedelta(days=5)
        for ref, hotel, conf, (d_in, d_out), amount in (
            (f"RA-{n}", "CAZ-MAD", f"MD58{n:05d}", (a_in, a_out), "412.50"),
            (f"RB-{n}", "CAZ-VLC", f"VL59{n:05d}", (b_in, b_out), "300.00"),
        ):
            claims.append(
                f"{ref};300120031;François Dupré;{hotel};{conf};{d_in:%d/%m/%Y};"
                f"{d_out:%d/%m/%Y};{amount.replace('.', ',')};EUR;01/12/2026;si\n"
            )
            source.append(
                f"{hotel},{conf},DUPRE/FRANCOIS MR,{d_in},{d_out},{amount},EUR,BAR,"
                f"DIRECT,F-{ref}\n"
            )
    db = tmp_path / "costa.db"
    _cf(db, "participants", "import", MEMBERS)
    header = SOURCE.splitlines(keepends=True)[0]
    _cf(db, "source", "import", str(write("pms.csv", header + "".join(source))))
    _cf(db, "ingest", str(write("racing.csv", HEADER + "".join(claims))))
    _cf(db, "verify")
    assert set(_outcomes(db).values()) == {"review"}
    context = multiprocessing.get_context("fork")
    won: dict[int, str] = {}
    for n in range(rounds):
        procs = []
        for ref in (f"RA-{n}", f"RB-{n}"):
            args = ["decide", ref, "accept", "--reason", "folio checked",
                    "--client", COSTA, "--db", str(db)]  # fmt: skip
            log = tmp_path / f"{ref}.log"
            proc = context.Process(target=_writer, args=(args, str(log)))
            proc.start()
            procs.append((ref, proc, log))
        for ref, proc, log in procs:
            proc.join(120)
            text = log.read_text()
            assert "Traceback" not in text, text
            if proc.exitcode == 0:
                assert n not in won, ("both accepted", n)
                won[n] = ref
            else:
                assert proc.exitcode == 2 and text.count("claimflow: error:") == 1, text
                assert "they would be paid twice" in text, text
    assert sorted(won) == list(range(rounds))
    assert _decisions(db) == rounds  # the refused acceptances wrote nothing
    _cf(db, "award")
    paid = {f"R{w[1]}-{n}": 1025 if w[1] == "A" else 375 for n, w in won.items()}
    assert _points(db) == paid
