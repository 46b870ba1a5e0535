"""Every real-world fault planted in samples/ ends where it should.

Each row: the sample file, the claim's locator in it, the expected outcome,
the expected reason codes, and the provenance the first problem must name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimflow import Outcome, ResolvedClient, check
from claimflow.models import Claim, Decision
from claimflow.parse import open_file
from claimflow.validate import context_for, validate_chunk
from tests.conftest import NOW, SAMPLES

ACME = SAMPLES / "acme-tools" / "claims"
COSTA = SAMPLES / "costa-azul" / "claims"

ACME_CASES = [
    # (file, locator, outcome, codes, provenance of the first problem)
    ("october.csv", "r2", Outcome.ACCEPTED, [], None),
    ("october.csv", "r3", Outcome.ACCEPTED, [], None),  # two lines, grouped by ref
    (
        "october.csv",
        "r5",
        Outcome.PENDED,
        ["missing_field"],
        "october.csv:row 5:Invoice No",
    ),
    (
        "october.csv",
        "r6",
        Outcome.PENDED,
        ["invalid_date"],
        "october.csv:row 6:Invoice Date",
    ),
    (
        "october.csv",
        "r7",
        Outcome.REJECTED,
        ["ineligible_sku"],
        "october.csv:row 7:Product Code",
    ),
    (
        "october.csv",
        "r8",
        Outcome.REJECTED,
        ["outside_claim_window"],
        "october.csv:row 8:Invoice Date",
    ),
    (
        "october.csv",
        "r9",
        Outcome.PENDED,
        ["line_total_mismatch"],
        "october.csv:row 9:Line Amount",
    ),
    (
        "october.csv",
        "r10",
        Outcome.DUPLICATE,
        ["duplicate_serial_in_batch"],
        "october.csv:row 10:Serial Numbers",
    ),
    ("october.csv", "r11", Outcome.ACCEPTED, [], None),
    ("dealer_north.xlsx", "October-r2", Outcome.ACCEPTED, [], None),
    ("dealer_north.xlsx", "October-r3", Outcome.ACCEPTED, [], None),
    (
        "dealer_north.xlsx",
        "October-r4",
        Outcome.PENDED,
        ["serial_count_mismatch"],
        "dealer_north.xlsx:sheet October:row 4:Serials",
    ),
    ("claim_form_fillable.pdf", "p1", Outcome.ACCEPTED, [], None),
    ("claims_printed.pdf", "p1", Outcome.ACCEPTED, [], None),
    (
        "claims_printed.pdf",
        "p2",
        Outcome.PENDED,
        ["invalid_format"],
        "claims_printed.pdf:page 2:Rep Number",
    ),
    (
        "claims_printed.pdf",
        "p3",
        Outcome.PENDED,
        ["nonpositive_quantity"],
        "claims_printed.pdf:page 3:line 1:Qty",
    ),
]

COSTA_CASES = [
    ("octubre.csv", "r2", Outcome.ACCEPTED, [], None),
    (
        "octubre.csv",
        "r3",
        Outcome.REJECTED,
        ["ineligible_channel"],
        "octubre.csv:row 3:Canal",
    ),
    (
        "octubre.csv",
        "r4",
        Outcome.PENDED,
        ["checkout_not_after_checkin"],
        "octubre.csv:row 4:Salida",
    ),
    (
        "octubre.csv",
        "r5",
        Outcome.PENDED,
        ["missing_field"],
        "octubre.csv:row 5:Confirmación",
    ),
    (
        "octubre.csv",
        "r6",
        Outcome.REJECTED,
        ["ineligible_hotel"],
        "octubre.csv:row 6:Hotel",
    ),
    (
        "octubre.csv",
        "r7",
        Outcome.DUPLICATE,
        ["duplicate_stay_in_batch"],
        "octubre.csv:row 7:Confirmación",
    ),
    (
        "octubre.csv",
        "r8",
        Outcome.REJECTED,
        ["outside_claim_window"],
        "octubre.csv:row 8:Salida",
    ),
    (
        "octubre.csv",
        "r9",
        Outcome.PENDED,
        ["no_proof"],
        "octubre.csv:row 9:Folio adjunto",
    ),
    ("solicitudes_portal.pdf", "p1", Outcome.ACCEPTED, [], None),
    (
        "solicitudes_portal.pdf",
        "p2",
        Outcome.PENDED,
        ["invalid_date"],
        "solicitudes_portal.pdf:page 2:Fecha de llegada",
    ),
]


def _decided(folder: Path, client: ResolvedClient) -> dict[str, tuple[Claim, Decision]]:
    """Every sample claim of a client, by 'file/locator', decided as one batch."""
    raws = []
    for path in sorted(folder.iterdir()):
        raws.extend(open_file(path, client).records)
    decided = validate_chunk(raws, client, context_for(client, NOW))
    return {
        f"{Path(claim.provenance.file).name}/{claim.id.split('-', 1)[1]}": (
            claim,
            decision,
        )
        for claim, decision in decided
    }


@pytest.fixture(scope="module")
def acme_decided(acme: ResolvedClient) -> dict[str, tuple[Claim, Decision]]:
    return _decided(ACME, acme)


@pytest.fixture(scope="module")
def costa_decided(costa: ResolvedClient) -> dict[str, tuple[Claim, Decision]]:
    return _decided(COSTA, costa)


def _assert_case(decided: dict[str, tuple[Claim, Decision]], case: tuple) -> None:  # type: ignore[type-arg]
    file, locator, outcome, codes, where = case
    claim, decision = decided[f"{file}/{locator}"]
    assert decision.outcome is outcome, decision.problems
    assert [c.value for c in decision.codes] == codes
    if where is not None:
        assert decision.problems[0].source.where().endswith(where)


@pytest.mark.parametrize("case", ACME_CASES, ids=lambda c: f"{c[0]}/{c[1]}")
def test_acme_sample_fault(
    acme_decided: dict[str, tuple[Claim, Decision]], case: tuple
) -> None:  # type: ignore[type-arg]
    _assert_case(acme_decided, case)


@pytest.mark.parametrize("case", COSTA_CASES, ids=lambda c: f"{c[0]}/{c[1]}")
def test_costa_sample_fault(
    costa_decided: dict[str, tuple[Claim, Decision]], case: tuple
) -> None:  # type: ignore[type-arg]
    _assert_case(costa_decided, case)


def test_every_sample_record_has_a_case(
    acme_decided: dict, costa_decided: dict
) -> None:  # type: ignore[type-arg]
    assert sorted(acme_decided) == sorted(f"{c[0]}/{c[1]}" for c in ACME_CASES)
    assert sorted(costa_decided) == sorted(f"{c[0]}/{c[1]}" for c in COSTA_CASES)


def test_excel_leading_zero_member_numbers_survive(acme_decided: dict) -> None:  # type: ignore[type-arg]
    as_text, _ = acme_decided["dealer_north.xlsx/October-r2"]
    as_number, _ = acme_decided["dealer_north.xlsx/October-r3"]
    assert as_text.participant_id == "004512"
    assert as_number.participant_id == "007781"


def test_latin1_csv_keeps_accents_and_decimal_commas(costa_decided: dict) -> None:  # type: ignore[type-arg]
    claim, _ = costa_decided["octubre.csv/r2"]
    assert claim.member_name == "José Núñez Peña"
    assert str(claim.qualifying_revenue) == "412.50"
    assert claim.received_at.isoformat() == "2026-10-20T00:00:00+02:00"


def test_counts_add_up_to_records_read(
    acme: ResolvedClient, costa: ResolvedClient
) -> None:
    for folder, client in ((ACME, acme), (COSTA, costa)):
        result = check(sorted(folder.iterdir()), client, received_at=NOW)
        assert result.records == sum(f.records for f in result.files)
        assert sum(result.outcomes.values()) == result.records
        assert result.records == (16 if client is acme else 10)
