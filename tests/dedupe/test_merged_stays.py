"""Two accounts of one member, merged: dedupe meets their stays at a hotel.

François Dupré holds 300120031 and 300199990 at Costa Azul, merged
(``participants merge 300120031 300199990``: merge #1). Then he claims
CA-101 under 300120031 (CAZ-MAD, 10-14 Nov 2026, MD5510001) and CA-102
under 300199990 (CAZ-MAD, 12-15 Nov, another confirmation, MD5520002,
two keying slips away: not clearly another reservation): both hold the
nights of 12 and 13 Nov, one member's stays at one hotel.

Before, the same-member-and-hotel key held the account number, so
``dedupe claims`` found nothing ("matches": []; verification alone caught
the nights); the same stay (the same confirmation) claimed under both
numbers read "the same stay claimed by another account"
(``claimed_by_other_account``), not naming the merge.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.accounts.test_merged_nights import MEMBERS, SAME, Desk

CA_101 = (
    "CA-101;300120031;François Dupré;CAZ-MAD;MD5510001;10/11/2026;14/11/2026;"
    "412,50;EUR;20/11/2026;si\n"
)
CA_102 = (
    "CA-102;300199990;François Dupré;CAZ-MAD;MD5520002;12/11/2026;15/11/2026;"
    "300,00;EUR;21/11/2026;si\n"
)
#: CA-102 as the same stay: CA-101's confirmation and dates
CA_102_SAME = CA_102.replace(
    "MD5520002;12/11/2026;15/11/2026", "MD5510001;10/11/2026;14/11/2026"
)
#: another member, no merge, the same hotel and nights as CA-101 (her own booking)
CA_103 = (
    "CA-103;300177777;Ana Ruiz;CAZ-MAD;MD5530003;10/11/2026;14/11/2026;"
    "412,50;EUR;22/11/2026;si\n"
)
MERGE = "merge #1: 300199990 into 300120031"


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """Both accounts (and Ana Ruiz's) on the member list, the two marked the
    same and merged; dedupe reads the claims alone (no hotel records)."""
    desk = Desk(tmp_path)
    members = MEMBERS + "300177777,Ana,Ruiz,a.ruiz@correo.example,,,2024-03-02,active\n"
    assert desk("participants", "import", desk.file("members.csv", members))[0] == 0
    assert desk("dedupe", "apply", desk.file("same.csv", SAME))[0] == 0
    assert desk.merge()[0] == 0
    return desk


def _matches(desk: Desk) -> list[tuple[str, str, str, str, str, str]]:
    """`dedupe claims --json`: each match as (claim, original) by reference,
    rule, code, decision, compared."""
    code, out = desk("export", "claims", "--out", "-")
    assert code == 0, out
    refs = {
        r["claim_id"]: r["claim_ref"]
        for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
    }
    code, out = desk("dedupe", "claims", "--json")
    assert code in (0, 1), out
    return [
        (refs[m["claim_id"]], refs[m["original"]], m["rule"], m["code"], m["decision"],
         m["compared"])
        for m in json.loads(out)["matches"]
    ]  # fmt: skip


def test_overlapping_stays_of_merged_accounts_are_met(desk: Desk) -> None:
    """CA-102 (12-15 Nov, under 300199990) overlaps CA-101 (10-14 Nov, under
    300120031) at CAZ-MAD: one match to review, naming the merge (before:
    none). By hand: 10-14 Nov holds the nights of 10-13, 12-15 Nov those of
    12-14; 12 and 13 Nov are on both."""
    desk.ingest("a.csv", CA_101)
    desk.ingest("b.csv", CA_102)
    assert _matches(desk) == [
        ("CA-102", "CA-101", f"same member ({MERGE}) and hotel, overlapping dates",
         "overlapping_stay", "review",
         "2026-11-12..2026-11-15 vs 2026-11-10..2026-11-14"),
    ]  # fmt: skip
    assert desk.outcomes() == {"CA-101": "accepted", "CA-102": "review"}


def test_one_account_gives_the_pair_the_same_match(desk: Desk) -> None:
    """The oracle: CA-102 keyed under 300120031 itself meets CA-101 by the
    rule of one account, the same code, decision and dates as across the
    merge (MD5520002 is two keying slips from MD5510001, no clearly
    different confirmation: with one, say two rooms, neither matches)."""
    desk.ingest("a.csv", CA_101)
    desk.ingest("b.csv", CA_102.replace(";300199990;", ";300120031;"))
    assert _matches(desk) == [
        ("CA-102", "CA-101", "same member and hotel, overlapping dates",
         "overlapping_stay", "review",
         "2026-11-12..2026-11-15 vs 2026-11-10..2026-11-14"),
    ]  # fmt: skip


def test_the_same_stay_under_both_numbers_names_the_merge(desk: Desk) -> None:
    """CA-102 under 300199990 with CA-101's confirmation and dates: the same
    stay of one member, a duplicate (before: "the same stay claimed by
    another account", claimed_by_other_account)."""
    desk.ingest("a.csv", CA_101)
    desk.ingest("b.csv", CA_102_SAME)
    dates = "2026-11-10..2026-11-14"
    assert _matches(desk) == [
        ("CA-102", "CA-101",
         f"same hotel and confirmation, one member by {MERGE} (0 keying slips)",
         "duplicate_claim", "duplicate", "CAZ-MAD MD5510001 vs MD5510001"),
        ("CA-102", "CA-101", f"same member ({MERGE}) and hotel, same dates",
         "duplicate_claim", "duplicate", f"{dates} vs {dates}"),
    ]  # fmt: skip
    assert desk.outcomes() == {"CA-101": "accepted", "CA-102": "duplicate"}


def test_another_member_on_the_same_nights_is_no_match(desk: Desk) -> None:
    """Ana Ruiz (300177777, in no merge) at CAZ-MAD on CA-101's nights, with
    her own confirmation: two guests, not one member's stays (the merged
    member's key is put under his two numbers only)."""
    desk.ingest("a.csv", CA_101)
    desk.ingest("c.csv", CA_103)
    assert _matches(desk) == []
    assert desk.outcomes() == {"CA-101": "accepted", "CA-103": "accepted"}


def test_stays_of_two_accounts_an_unmerge_parted_are_no_match(desk: Desk) -> None:
    """The merge undone, 300120031 and 300199990 are two members again:
    CA-101 and CA-102 are each their own account's stay."""
    code, out = desk("participants", "unmerge", "300199990")
    assert code == 0, out
    desk.ingest("a.csv", CA_101)
    desk.ingest("b.csv", CA_102)
    assert _matches(desk) == []


@pytest.mark.parametrize(
    ("mine", "theirs", "named"),
    [
        # CA-102 keyed under 300199990, filed there or (an award run) under 300120031
        (("300199990", "300199990"), ("300120031", "300120031"), MERGE),
        (("300120031", "300199990"), ("300120031", "300120031"), MERGE),
        # one account on both; no account on one; a member in no merge
        (("300120031", "300120031"), ("300120031", "300120031"), None),
        ((None, None), ("300199990", "300199990"), None),
        (("300177777", "300177777"), ("300120031", "300120031"), None),
    ],
)
def test_merges_named_for_two_claims(
    mine: tuple[str | None, str | None],
    theirs: tuple[str | None, str | None],
    named: str | None,
) -> None:
    """(filed under, keyed under) of each claim: the merge is named when the
    accounts of the two are more than one, all of one member."""
    from datetime import UTC, datetime

    from claimflow.dedupe.match_types import MemberMerges, _Info

    group = ("300120031", "300199990")
    merges = MemberMerges(dict.fromkeys(group, group), ((1, "300120031", "300199990"),))
    at = (datetime(2026, 11, 20, tzinfo=UTC), 1)
    a, b = (_Info(at, who, "x.csv:row 2", None, None, keyed_member=keyed)
            for who, keyed in (mine, theirs))  # fmt: skip
    assert merges.named(a, b) == named
