"""A discrepancy on a record a keying slip away names that record.

Trial: claim AC-1001 keyed invoice ``INV-20418`` (2 x DRL-200, dealer
D-CHI-01, 2 Oct 2026); the dealer's export held only ``INV-20417`` (the same
dealer, SKU and day, 1 unit), which verification took, a keying slip away.
The reviewer read ``quantity_above_invoiced: expected 1 as in the source
record, found 2`` in the run's output, in ``show`` and in the stored
problem, and could not tell that it was another invoice's 1 unit: that was
only in ``verify --json``'s checks. Now the message names the record, where
it came from and the claim's own key: ``expected 1 as in source record
INV-20417 (dealer_sales.csv:row 3, a keying slip from INV-20418), found 2``.
A discrepancy on the claim's own invoice reads as before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from claimflow import ResolvedClient, Store, ingest
from claimflow.models import (
    Provenance,
    SaleRecord,
    SalesClaim,
    StayClaim,
    StayRecord,
)
from claimflow.validate.notices import render_notices
from claimflow.verify.checks import compare_sale, compare_stay, slip_record
from claimflow.verify.settings import VerificationSettings
from claimflow.verify.source import import_source
from tests.test_cli import ACME_CONFIG, run
from tests.verify.test_verify import NOW

CLAIMS = (
    "Claim ID,Rep #,Rep Name,Dealer Code,Dealer Name,Invoice No,Invoice Date,"
    "Product Code,Qty,Unit Price,Line Amount,Serial Numbers,Received,"
    "Invoice Attached\n"
    "AC-1001,104233,Maria Lopez,D-CHI-01,Midwest Supply Co,{invoice},10/02/2026,"
    "DRL-200,2,149.00,298.00,DR10000017;DR10000018,2026-10-20T09:14:00,yes\n"
)
# row 2: another dealer's sale; row 3: the neighbouring invoice, 1 unit
EXPORT = (
    "invoice_number,invoice_date,dealer_id,sku,quantity,amount,serial_numbers\n"
    "INV-20999,2026-10-02,D-CHI-02,SAW-310,1,229.00,SW20000105\n"
    "INV-20417,2026-10-02,D-CHI-01,DRL-200,1,149.00,DR10000017 DR10000018\n"
)
NAMED = (
    "quantity_above_invoiced: expected 1 as in source record INV-20417 "
    "(dealer_sales.csv:row 3, a keying slip from INV-20418), found 2"
)


def _desk(
    write: Callable[..., Path], tmp_path: Path, invoice: str
) -> tuple[str, Callable[..., tuple[int, str]], str]:
    db = str(tmp_path / "desk.db")

    def cli(*args: str) -> tuple[int, str]:
        code, out, err = run(*args, "--client", ACME_CONFIG, "--db", db)
        assert code in (0, 1), out + err
        return code, out

    cli("ingest", str(write("claims.csv", CLAIMS.format(invoice=invoice))))
    code, out = cli("source", "import", str(write("dealer_sales.csv", EXPORT)))
    assert code == 1  # sent to review
    return db, cli, out


def _stored(db: str) -> list[tuple[str, str]]:
    with Store.open(db) as store:
        return [
            (str(c), str(m))
            for c, m in store.db.execute("SELECT code, message FROM problems")
        ]


def test_the_review_message_names_the_invoice_a_keying_slip_away(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    db, cli, out = _desk(write, tmp_path, "INV-20418")
    # the run's output, `show` and the stored problem all name INV-20417
    assert f"    {NAMED}\n" in out
    _, out = cli("show", "AC-1001")
    assert f"  {NAMED.replace(':', ' (quantity):', 1)}\n" in out
    assert _stored(db) == [tuple(NAMED.split(": ", 1))]
    # the codes are as before: a replay under the same rules changes nothing
    _, out = cli("replay", "--all")
    assert "1 claims replayed, 0 changed, +0 points" in out


def test_a_discrepancy_on_the_claims_own_invoice_reads_as_before(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    db, _, _ = _desk(write, tmp_path, "INV-20417")
    assert _stored(db) == [
        ("quantity_above_invoiced", "expected 1 as in the source record, found 2")
    ]


SETTINGS = VerificationSettings()


class _Lookup:
    """Other claims of the line: AC-0999 took its 1 unit."""

    def claimed_units(self, source_id: int, claim_id: str) -> list[tuple[str, int]]:
        return [("c0", 1)]

    def serial_claimed_before(self, serial: str, claim_id: str) -> str | None:
        return None

    def claim_name(self, claim_id: str) -> str:
        return "AC-0999 (october.csv:row 2)"

    def member_stays(self, participant: str, claim_id: str) -> list[object]:
        return []

    def matched(self, source_id: int, claim_id: str) -> list[object]:
        return []


def test_units_other_claims_took_name_the_line_of_the_invoice_a_slip_away() -> None:
    """The line of an xlsx export, by sheet and row; other claims counted."""

    line = SaleRecord(
        invoice_number="INV-20417",
        invoice_date=date(2026, 10, 2),
        dealer_id="D-CHI-01",
        sku="DRL-200",
        quantity=2,
        amount=Decimal("298.00"),
        provenance=Provenance(file="/in/sales.xlsx", sheet="Oct", row=7),
    )
    claim = SalesClaim.model_validate(
        {
            "id": "c1",
            "client": "acme-tools",
            "participant_id": "104233",
            "received_at": "2026-10-20T09:14:00+00:00",
            "provenance": {"file": "claims.csv", "row": 2},
            "invoice_number": "INV-20418",
            "invoice_date": "2026-10-02",
            "dealer_id": "D-CHI-01",
            "lines": [
                {
                    "sku": "DRL-200",
                    "quantity": 2,
                    "provenance": {"file": "claims.csv", "row": 2},
                }
            ],
        }
    )
    found = compare_sale(claim, [(5, line)], _Lookup(), SETTINGS, True)  # type: ignore[arg-type]
    assert [p.message for p in found.problems] == [
        # 2 invoiced, 1 taken by AC-0999: 1 more, 2 claimed
        "expected at most 1 more DRL-200 as in source record INV-20417 "
        "(sales.xlsx:sheet Oct:row 7, a keying slip from INV-20418) (2 invoiced, "
        "1 already claimed: 1 on claim AC-0999 (october.csv:row 2)), found 2"
    ]


def test_a_stay_a_slip_away_is_named_by_its_confirmation_and_row() -> None:
    folio = StayRecord(
        hotel_code="CAZ-MAD",
        confirmation_number="MD5510100",
        guest_name="LOPEZ/ANA MRS",
        arrival=date(2026, 11, 10),
        departure=date(2026, 11, 13),
        room_revenue=Decimal("450.00"),
        currency="EUR",
        booking_channel="Expedia",
        provenance=Provenance(file="stays.csv", row=4),
    )
    claim = StayClaim.model_validate(
        {
            "id": "s1",
            "client": "costa-azul",
            "received_at": "2026-11-20T09:00:00+00:00",
            "provenance": {"file": "retro.csv", "row": 2},
            "member_name": "Ana Lopez",
            "hotel_code": "CAZ-MAD",
            "confirmation_number": "MD5510010",
            "check_in": "2026-11-10",
            "check_out": "2026-11-14",
        }
    )
    found = compare_stay(claim, 9, folio, _Lookup(), SETTINGS, True)  # type: ignore[arg-type]
    named = "source record MD5510100 (stays.csv:row 4, a keying slip from MD5510010)"
    assert [(p.code.value, p.message) for p in found.problems] == [
        ("source_mismatch", f"expected 2026-11-13 as in {named}, found 2026-11-14"),
        ("ota_booking", f"expected a direct booking, found 'Expedia' in the hotel's {named}"),
    ]
    # its own folio: as before
    exact = compare_stay(
        claim.model_copy(update={"confirmation_number": "MD5510100"}),
        9, folio, _Lookup(), SETTINGS,  # type: ignore[arg-type]
    )  # fmt: skip
    assert [p.message for p in exact.problems] == [
        "expected 2026-11-13 as in the source record, found 2026-11-14",
        "expected a direct booking, found 'Expedia' in the hotel's record",
    ]


class _Claimed(_Lookup):
    """The folio is matched to another member's claim CA-870 already."""

    def matched(self, source_id: int, claim_id: str) -> list[object]:
        return [("c7", "300999", "verified")]

    def claim_name(self, claim_id: str) -> str:
        return "CA-870 (octubre.csv:row 5)"


def test_a_stay_a_slip_away_claimed_by_another_account_names_it() -> None:
    folio = StayRecord(
        hotel_code="CAZ-MAD",
        confirmation_number="MD5510100",
        guest_name="LOPEZ/ANA MRS",
        arrival=date(2026, 11, 10),
        departure=date(2026, 11, 13),
        room_revenue=Decimal("450.00"),
        currency="EUR",
        provenance=Provenance(file="stays.csv", row=4),
    )
    claim = StayClaim.model_validate(
        {
            "id": "s1",
            "client": "costa-azul",
            "participant_id": "300120031",
            "received_at": "2026-11-20T09:00:00+00:00",
            "provenance": {"file": "retro.csv", "row": 2},
            "hotel_code": "CAZ-MAD",
            "confirmation_number": "MD5510010",
            "check_in": "2026-11-10",
            "check_out": "2026-11-13",
        }
    )
    found = compare_stay(claim, 9, folio, _Claimed(), SETTINGS, True)  # type: ignore[arg-type]
    assert [p.message for p in found.problems] == [
        "expected the stay of source record MD5510100 (stays.csv:row 4, a keying "
        "slip from MD5510010) on one account, found it claimed by 300999 "
        "(claim CA-870 (octubre.csv:row 5))"
    ]
    exact = compare_stay(
        claim.model_copy(update={"confirmation_number": "MD5510100"}),
        9, folio, _Claimed(), SETTINGS,  # type: ignore[arg-type]
    )  # fmt: skip
    assert [p.message for p in exact.problems] == [
        "expected this stay on one account, found it claimed by 300999 "
        "(claim CA-870 (octubre.csv:row 5))"
    ]


def test_slip_record_without_a_place() -> None:
    assert slip_record("INV-20417", None, "INV-20418") == (
        "source record INV-20417 (a keying slip from INV-20418)"
    )


# The participant's notice. It asks them to check the number they keyed,
# quoting it as they keyed it, and never names the record found: that
# invoice a slip away may be another rep's sale (test_again's 0004-00000200
# was PA-610's, another rep's), and where the claim names no dealer,
# another dealer's; its number would show them an invoice to claim.
ASKED = (
    "  - invoice number: we hold no invoice with this number, only one a "
    "character or two away, which we compared your claim with: please check "
    "the number on your invoice (we read: INV-20418)\n"
    "  - quantity: is more than the invoiced quantity (we read: 2)\n"
)


def _notice(db: str, tmp_path: Path) -> str:
    """The verification's notice, as `notices write` writes it."""
    out = str(tmp_path / "o")
    code, _, err = run("notices", "write", "--batch", "1", "--out", out, "--db", db)
    assert code == 0, err
    (text,) = (tmp_path / "o").glob("*verify*.txt")
    return text.read_text(encoding="utf-8")


def test_the_notice_asks_to_check_the_number_without_naming_the_record(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    db, _, _ = _desk(write, tmp_path, "INV-20418")
    said = _notice(db, tmp_path)
    assert ASKED in said
    assert "20417" not in said


def test_a_notice_on_the_claims_own_invoice_says_only_the_quantity(
    write: Callable[..., Path], tmp_path: Path
) -> None:
    db, _, _ = _desk(write, tmp_path, "INV-20417")
    said = _notice(db, tmp_path)
    assert "  - quantity: is more than the invoiced quantity (we read: 2)\n" in said
    assert "invoice number" not in said


@pytest.mark.parametrize("in_sets", [True, False])
def test_a_stay_a_slip_away_in_the_members_language(
    store: Store, costa: ResolvedClient, write: Callable[..., Path], in_sets: bool
) -> None:
    """CA-903 keyed MD8830400 for the folio MD8830040 (es): both ways of
    verifying (in sets, claim by claim) owe the same notice."""
    from claimflow.verify.run import verify_claims_per_claim
    from claimflow.verify.sets import verify_in_sets
    from tests.verify.test_slips import STAY_CLAIMS, STAYS

    ingest([write("retro.csv", STAY_CLAIMS)], costa, store)
    with store.transaction():
        import_source(store, costa, write("stays.csv", STAYS), NOW)
    run_ = verify_in_sets if in_sets else verify_claims_per_claim
    result = run_(store, costa, now=NOW)
    (item,) = [i for i in result.notice_items if i.reference == "CA-903"]
    assert item.slip == "MD8830400"
    (notice,) = render_notices([item], costa, NOW.date())
    assert (
        "  - número de confirmación: no tenemos ninguna estancia con este número "
        "de confirmación, solo una que difiere en uno o dos caracteres, con la "
        "que comparamos su solicitud: verifique el número en su confirmación "
        "(leímos: MD8830400)\n"
    ) in notice.text
    assert "MD8830040" not in notice.text
