"""Two accounts of one member, merged: their stays' nights are paid once.

François Dupré is enrolled twice at Costa Azul: 300120031 and 300199990
(the same e-mail), and a reviewer marks the two the same. He claims
CA-101 under 300120031 (CAZ-MAD, 10-14 Nov 2026: the nights of 10 to 13
Nov) and CA-102 under 300199990 (CAZ-VLC, 12-15 Nov: the nights of 12 to
14 Nov); the hotels' records match both. The nights of 12 and 13 Nov are
on both.

Points by hand (rules 2026, ``basis: bracket``, whole 10 EUR, no tier):
CA-101 at CAZ-MAD (``base``, 25 per 10 EUR): 412.50 EUR -> 41 x 25 =
1,025; CA-102 at CAZ-VLC (``base-urban``, 12.5 per 10 EUR): 300.00 EUR ->
30 x 12.5 = 375. Paid once, the member has 1,025 (or 375); both: 1,400.

Before, the merged accounts' stays were never compared: a stay keyed under
300199990 after the merge verified clean and was paid (1,400), one
accepted before the merge was paid by the next award (1,400), and a merge
after both were paid said nothing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from claimflow import Store
from tests.conftest import SAMPLES
from tests.test_cli import run

COSTA = str(SAMPLES / "clients/costa-azul.yaml")
MEMBERS = (
    "participant_id,first_name,last_name,email,company,tier,enrolled_on,status\n"
    "300120031,François,Dupré,f.dupre@courriel.example,,,2024-07-19,active\n"
    "300199990,Francois,Dupre,f.dupre@courriel.example,,,2025-01-10,active\n"
)
SAME = "kind,a,b,decision\nparticipant,300120031,300199990,same\n"
HEADER = (
    "Referencia;Socio;Nombre;Hotel;Confirmacion;Llegada;Salida;Importe habitacion;"
    "Moneda;Recibido;Folio adjunto\n"
)
CA_101 = (
    "CA-101;300120031;François Dupré;CAZ-MAD;MD5510001;10/11/2026;14/11/2026;"
    "412,50;EUR;20/11/2026;si\n"
)
CA_102 = (
    "CA-102;300199990;François Dupré;CAZ-VLC;VL5520002;12/11/2026;15/11/2026;"
    "300,00;EUR;21/11/2026;si\n"
)
SOURCE = (
    "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
    "currency,rate_code,booking_channel,folio_number\n"
    "CAZ-MAD,MD5510001,DUPRE/FRANCOIS MR,2026-11-10,2026-11-14,412.50,EUR,BAR,DIRECT,F-101\n"
    "CAZ-VLC,VL5520002,DUPRE/FRANCOIS MR,2026-11-12,2026-11-15,300.00,EUR,BAR,DIRECT,F-102\n"
)
BOTH = "the nights of 2026-11-12 and 2026-11-13"
SHARED = (
    f"claims CA-102 (b.csv:row 2) and CA-101 (a.csv:row 2) both hold {BOTH}, one "
    "member's since merge #1 (300199990 into 300120031): {what}"
)
REFUSED = (
    "claimflow: error: claim CA-102 (b.csv:row 2): accept refused: expected none of its "
    "nights on "
    "another accepted claim of member {member}, found {nights} on claim CA-101 "
    "(a.csv:row 2) (CAZ-MAD, 2026-11-10 to 2026-11-14, paid): accepted, they would "
    "be paid twice; reject it, or reverse the other claim's award (ledger reverse) first"
)


class Desk:
    """The clerk's commands on one store (`--client`, `--db` given)."""

    def __init__(self, tmp_path: Path) -> None:
        self.dir = tmp_path
        self.opts = ["--client", COSTA, "--db", str(tmp_path / "costa.db")]

    def __call__(self, *args: str) -> tuple[int, str]:
        # `dedupe apply` reads the store alone (each row names its kind)
        opts = self.opts[2:] if args[:2] == ("dedupe", "apply") else self.opts
        code, out, err = run(*args, *opts)
        assert "Traceback" not in out + err
        return code, out + err

    def file(self, name: str, text: str) -> str:
        path = self.dir / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    def ingest(self, name: str, row: str) -> None:
        assert self("ingest", self.file(name, HEADER + row))[0] in (0, 1)

    def merge(self) -> tuple[int, str]:
        return self("participants", "merge", "300120031", "300199990")

    def outcomes(self) -> dict[str, str]:
        code, out = self("export", "claims", "--out", "-")
        assert code == 0, out
        rows = csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
        return {r["claim_ref"]: r["outcome"] for r in rows}

    def points(self) -> int:
        code, out = self("ledger", "balance", "300120031", "--json")
        assert code == 0, out
        return int(json.loads(out)["total"])


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """Both accounts on the member list, marked the same; the hotels' records."""
    desk = Desk(tmp_path)
    assert desk("participants", "import", desk.file("members.csv", MEMBERS))[0] == 0
    assert desk("source", "import", desk.file("pms.csv", SOURCE))[0] in (0, 1)
    assert desk("dedupe", "apply", desk.file("same.csv", SAME))[0] == 0
    return desk


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_stay_keyed_under_the_merged_number_meets_the_survivors(desk: Desk) -> None:
    """CA-101 paid, the merge, then CA-102 under the closed 300199990:
    verification sends it to review (before: verified and paid, 1,400),
    and a person's acceptance is refused naming CA-101 and the nights."""
    desk.ingest("a.csv", CA_101)
    desk("verify")
    desk("award")
    assert desk.points() == 1025
    assert desk.merge()[0] == 0  # nothing of 300199990's held nights yet
    desk.ingest("b.csv", CA_102)
    code, out = desk("verify", "--json")
    assert code == 1, out
    [detail] = json.loads(out)["details"]
    assert detail["problems"] == [
        "overlapping_stay: expected no other stay on these dates, found claim "
        "CA-101 (a.csv:row 2) (2026-11-10 to 2026-11-14)"
    ], detail
    assert desk.outcomes() == {"CA-101": "accepted", "CA-102": "review"}
    desk("award")
    assert desk.points() == 1025  # not 1,025 + 375
    code, out = desk("decide", "CA-102", "accept", "--reason", "folios checked")
    # filed under 300120031 by the award run (accounts.merged_claims:
    # credit_survivor), the claim names its member with the merged account
    member = "300120031 (one member with 300199990 by a merge)"
    assert (code, _one_line(out)) == (2, REFUSED.format(member=member, nights=BOTH))
    assert desk.points() == 1025


def test_decide_weighs_a_claim_still_under_the_merged_number(desk: Desk) -> None:
    """Before the award run files it under the survivor, a stay keyed
    under 300199990 is 300120031's member's too (before: its acceptance
    counted 300199990's stays only, and passed)."""
    desk.ingest("a.csv", CA_101)
    desk("verify")
    desk("award")
    desk.merge()
    desk.ingest("b.csv", CA_102)
    desk("verify")
    code, out = desk("decide", "CA-102", "accept", "--reason", "folios checked")
    member = "300199990 (one member with 300120031 by a merge)"
    assert (code, _one_line(out)) == (2, REFUSED.format(member=member, nights=BOTH))


def test_a_merge_holds_an_accepted_stay_of_the_nights_in_review(desk: Desk) -> None:
    """CA-101 paid under 300120031, CA-102 verified and accepted under
    300199990 (two members to verification then), not yet paid. The merge
    sends CA-102 to review, saying so (before: silent, and the next award
    paid 375 more); accepting it, or marking its pair different, is refused;
    rejecting it leaves 1,025, and replay changes nothing."""
    desk.ingest("a.csv", CA_101)
    desk("verify")
    desk("award")
    desk.ingest("b.csv", CA_102)
    desk("verify")
    assert desk.outcomes() == {"CA-101": "accepted", "CA-102": "accepted"}
    code, out = desk.merge()
    what = "CA-102 (b.csv:row 2) sent to review (overlapping_stay): decide it (claimflow decide)"
    assert code == 1, out
    assert out.splitlines()[1:] == ["  " + SHARED.format(what=what)], out
    assert desk.outcomes() == {"CA-101": "accepted", "CA-102": "review"}
    desk("award")
    assert desk.points() == 1025
    code, out = desk("decide", "CA-102", "accept", "--reason", "folios checked")
    member = "300120031 (one member with 300199990 by a merge)"
    assert (code, _one_line(out)) == (2, REFUSED.format(member=member, nights=BOTH))
    review = desk.dir / "review.csv"
    assert desk("dedupe", "review", "--out", str(review))[0] in (0, 1)
    rows = list(csv.DictReader(io.StringIO(review.read_text("utf-8-sig"))))
    assert [(r["a_ref"], r["b_ref"], r["found"]) for r in rows] == [
        ("CA-102", "CA-101", "review")
    ], rows
    rows[0]["decision"] = "different"
    marked = io.StringIO()
    writer = csv.DictWriter(marked, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    code, out = desk("dedupe", "apply", desk.file("marked.csv", marked.getvalue()))
    assert code == 2 and "would be paid twice" in out, out
    assert desk("decide", "CA-102", "reject", "--reason", "nights paid on CA-101")[0] == 0
    desk("award")
    assert desk.points() == 1025
    code, out = desk("replay", "--all", "--json")
    assert code == 0 and json.loads(out)["changed"] == 0, out


def test_a_merge_after_both_stays_were_paid_names_them(desk: Desk) -> None:
    """Both paid before anyone knew the two accounts were one: nothing can
    unpay them, so the merge names the two claims and the nights to reverse
    one (exit 1; before: exit 0 and not a word, 1,400 paid)."""
    desk.ingest("a.csv", CA_101)
    desk("verify")
    desk("award")
    desk.ingest("b.csv", CA_102)
    desk("verify")
    desk("award")
    code, out = desk.merge()
    assert code == 1, out
    both = SHARED.format(what="both paid: reverse one's award (ledger reverse)")
    assert out.splitlines()[1:] == ["  " + both], out
    assert desk.points() == 1025 + 375  # reported, not changed
    assert desk.outcomes() == {"CA-101": "accepted", "CA-102": "accepted"}


def test_stays_that_share_no_night_merge_quietly(desk: Desk) -> None:
    """CA-102 checking in the day CA-101 checks out (14 Nov) shares no
    night: the merge reports nothing and both are paid, 1,025 + 375."""
    later = CA_102.replace("VL5520002;12/11/2026", "VL5520009;14/11/2026")
    source = SOURCE.splitlines()[0] + "\n" + SOURCE.splitlines()[2].replace(
        "VL5520002,DUPRE/FRANCOIS MR,2026-11-12", "VL5520009,DUPRE/FRANCOIS MR,2026-11-14"
    )
    assert desk("source", "import", desk.file("pms2.csv", source + "\n"))[0] in (0, 1)
    desk.ingest("a.csv", CA_101)
    desk.ingest("b.csv", later)
    code, out = desk("verify", "--json")
    assert code == 0 and json.loads(out)["results"] == {"verified": 2}, out
    code, out = desk.merge()
    assert code == 0 and len(out.splitlines()) == 1, out
    desk("award")
    assert desk.points() == 1025 + 375


def test_merged_accounts_follow_chains_and_unmerges(tmp_path: Path) -> None:
    """M into S, then S into T: one member of three; N into T, undone: apart."""
    from claimflow.store.accounts import merged_accounts

    with Store.open(tmp_path / "s.db") as store, store.transaction():
        add = (
            "INSERT INTO account_merges (client, action, survivor, merged, undoes, "
            "status_before, at, actor, note) VALUES ('x', ?, ?, ?, ?, NULL, 't', 'a', '')"
        )
        store.db.execute(add, ["merge", "S", "M", None])
        store.db.execute(add, ["merge", "T", "S", None])
        store.db.execute(add, ["merge", "T", "N", None])
        store.db.execute(add, ["unmerge", "T", "N", 3])
        three = ("M", "S", "T")
        assert merged_accounts(store, "x") == {a: three for a in three}
        assert merged_accounts(store, "other client") == {}
