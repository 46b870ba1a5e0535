"""One stay claimed in two files: exactly one claim stays payable (trial 15).

``a_novembro.csv`` held ``PD-2`` (received 09/11/2026), ``b_outubro.csv``
the same stay as ``PD-1`` (``Souza``, received 21/10/2026). Ingested as one
batch in that order, ingest marked PD-1 a duplicate of PD-2 (the file order);
``dedupe claims`` then marked PD-2 a duplicate of PD-1 (the earliest
received), though PD-1 was already a duplicate: both were duplicates and the
award paid nobody. An original is a claim that is not itself a duplicate
(`claimflow.codes.may_be_original`), at ingest and in ``dedupe claims``.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.api.points import award_claims
from claimflow.codes import may_be_original
from claimflow.dedupe.claims import dedupe_claims
from claimflow.models import Participant, Provenance
from tests.conftest import FIXTURES

POUSADA = load_client(FIXTURES / "clients" / "pousada-noverify.yaml")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MEMBER = "30567891"
HEADER = (
    "Protocolo;Número do membro;Nome do hóspede;Hotel;Nº da reserva;"
    "Data de entrada;Data de saída;Valor da diária;Moeda;Canal;Recebido em\n"
)
FILES = {
    "a_novembro.csv": "PD-2;30567891;Ana Beatriz Sousa;PSL-FLN;FLN33002;"
    "01/10/2026;04/10/2026;2.100,00;BRL;Direto;09/11/2026\n",
    "b_outubro.csv": "PD-1;30567891;Ana Beatriz Souza;PSL-FLN;FLN33002;"
    "01/10/2026;04/10/2026;2.100,00;BRL;Direto;21/10/2026\n",
}


def _enrol(store: Store, client: ResolvedClient) -> None:
    store.upsert_participants(
        [
            Participant(
                id=MEMBER,
                client=client.key,
                enrolled_on=date(2026, 1, 1),
                provenance=Provenance(file="members.csv", row=2),
            )
        ]
    )


def _claims(store: Store) -> dict[str, tuple[str, str]]:
    """Each claim's reference: (id, outcome)."""
    return {
        ref: (cid, outcome)
        for cid, ref, outcome in store.db.execute(
            "SELECT id, json_extract(data, '$.claim_ref'), outcome FROM claims"
        )
    }


def _problems(store: Store, claim_id: str) -> list[str]:
    return [
        message
        for (message,) in store.db.execute(
            "SELECT message FROM problems WHERE claim_id = ?", [claim_id]
        )
    ]


@pytest.mark.parametrize(
    "batches",
    [
        [["a_novembro.csv", "b_outubro.csv"]],  # the trial's: one batch
        [["b_outubro.csv", "a_novembro.csv"]],
        [["a_novembro.csv"], ["b_outubro.csv"]],  # two batches
        [["b_outubro.csv"], ["a_novembro.csv"]],
    ],
)
@pytest.mark.parametrize("runs", [1, 2])
def test_one_stay_in_two_files_pays_exactly_one_claim(
    store: Store, tmp_path: Path, batches: list[list[str]], runs: int
) -> None:
    _enrol(store, POUSADA)
    for files in batches:
        paths = []
        for name in files:
            path = tmp_path / name
            path.write_text(HEADER + FILES[name], encoding="utf-8")
            paths.append(path)
        ingest(paths, POUSADA, store)
    for _ in range(runs):  # running it again changes nothing
        dedupe_claims(store, POUSADA, now=NOW)
    result = award_claims(POUSADA, store, at=NOW)

    claims = _claims(store)
    assert sorted(outcome for _, outcome in claims.values()) == [
        "accepted",
        "duplicate",
    ]
    [paid] = [ref for ref, (_, outcome) in claims.items() if outcome == "accepted"]
    [other] = set(claims) - {paid}
    assert [a.claim_id for a in result.awards] == [claims[paid][0]]
    assert result.points > 0
    # the duplicate names the claim that is paid, and no other
    said = _problems(store, claims[other][0])
    assert said and all(f"claim {paid}" in m for m in said), said
    assert not any(f"claim {other}" in m for m in said)
    # the paid claim, if ingest held it as a repeat received before the claim
    # in the file named first, says only that (trial 31), on record
    held = _problems(store, claims[paid][0])
    assert all(m.endswith(", though received before it") for m in held), held


def test_a_duplicate_is_never_an_original() -> None:
    assert may_be_original("accepted") and may_be_original("pended")
    assert not may_be_original("duplicate")


# A stay: (its confirmation, its arrival day in October); its claims, each
# in a file (0-2) and received on a day of November.
_claim = st.tuples(st.integers(0, 2), st.integers(1, 28))
_stays = st.lists(st.lists(_claim, min_size=1, max_size=3), min_size=1, max_size=3)


@hsettings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    stays=_stays,
    order=st.permutations([0, 1, 2]),
    split=st.booleans(),
    dedupe_between=st.booleans(),
)
def test_every_stay_keeps_exactly_one_claim_that_is_not_a_duplicate(
    stays: list[list[tuple[int, int]]],
    order: list[int],
    split: bool,
    dedupe_between: bool,
) -> None:
    rows: list[list[str]] = [[], [], []]
    refs: dict[str, int] = {}
    for n, claims in enumerate(stays):
        arrive = date(2026, 10, 1) + timedelta(days=7 * n)  # stays never overlap
        leave = arrive + timedelta(days=3)
        for file, day in claims:
            ref = f"PD-{len(refs) + 1}"
            refs[ref] = n
            rows[file].append(
                f"{ref};{MEMBER};Ana Beatriz Sousa;PSL-FLN;FLN3300{n};"
                f"{arrive:%d/%m/%Y};{leave:%d/%m/%Y};2.100,00;BRL;Direto;"
                f"{day:02d}/11/2026\n"
            )
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for file in order:
            if rows[file]:
                path = Path(folder) / f"f{file}.csv"
                path.write_text(HEADER + "".join(rows[file]), encoding="utf-8")
                paths.append(path)
        store = Store.open(Path(folder) / "claims.db")
        try:
            if split:  # the first file in a batch of its own
                ingest(paths[:1], POUSADA, store)
                if dedupe_between:
                    dedupe_claims(store, POUSADA, now=NOW)
                paths = paths[1:]
            if paths:
                ingest(paths, POUSADA, store)
            dedupe_claims(store, POUSADA, now=NOW)
            claims = _claims(store)
        finally:
            store.close()
    assert len(claims) == len(refs)
    for n in range(len(stays)):
        outcomes = [o for ref, (_, o) in claims.items() if refs[ref] == n]
        assert [o for o in outcomes if o != "duplicate"] == ["accepted"], outcomes


def _ingest(store: Store, tmp_path: Path, name: str, text: str | None = None) -> None:
    path = tmp_path / name
    path.write_text(HEADER + (text or FILES[name]), encoding="utf-8")
    ingest([path], POUSADA, store)


def _points(store: Store) -> dict[str, int]:
    """Each claim's standing award points (postings less reversals)."""
    refs = {cid: ref for ref, (cid, _) in _claims(store).items()}
    return {
        refs[cid]: int(points)
        for cid, points in store.db.execute(
            "SELECT claim_id, sum(points) FROM ledger WHERE claim_id IS NOT NULL "
            "GROUP BY claim_id"
        )
    }


def test_a_form_received_earlier_but_keyed_after_the_payment_repeats_the_paid_claim(
    store: Store, tmp_path: Path
) -> None:
    """Trial 17: FR-3001 was verified and paid; AK-2201, the same unit on a
    paper form received a week earlier but keyed only now, made `dedupe
    claims` mark the paid claim a duplicate of it (its 80 points left on
    the ledger), and verification then made AK-2201 a duplicate too: each
    claim the other's duplicate, the ledger and the outcomes disagreeing.
    A paid claim is the original: the late form repeats it."""
    _enrol(store, POUSADA)
    _ingest(store, tmp_path, "a_novembro.csv")  # received 09/11, paid
    dedupe_claims(store, POUSADA, now=NOW)
    paid = award_claims(POUSADA, store, at=NOW).points
    assert paid > 0
    _ingest(store, tmp_path, "b_outubro.csv")  # received 21/10, keyed now
    for _ in range(2):  # and again: nothing changes
        result = dedupe_claims(store, POUSADA, now=NOW)
    assert award_claims(POUSADA, store, at=NOW).points == 0
    claims = _claims(store)
    assert {ref: outcome for ref, (_, outcome) in claims.items()} == {
        "PD-2": "accepted",
        "PD-1": "duplicate",
    }
    assert _points(store) == {"PD-2": paid}
    said = _problems(store, claims["PD-1"][0])
    assert said and all("claim PD-2" in m for m in said), said
    assert _problems(store, claims["PD-2"][0]) == []
    assert result.matches == []  # the second run found nothing new


def test_two_paid_claims_of_one_stay_go_to_a_person_not_to_duplicate(
    store: Store, tmp_path: Path
) -> None:
    """Both claims paid (awarded before any dedupe run): dedupe closes
    neither, whose points stand, but sends the later to review, saying an
    award must be reversed."""
    _enrol(store, POUSADA)
    _ingest(store, tmp_path, "b_outubro.csv")
    award_claims(POUSADA, store, at=NOW)
    _ingest(store, tmp_path, "a_novembro.csv")
    award_claims(POUSADA, store, at=NOW)
    points = _points(store)
    assert set(points) == {"PD-1", "PD-2"} and min(points.values()) > 0
    result = dedupe_claims(store, POUSADA, now=NOW)
    # the same confirmation, the same member, hotel and dates: both rules say so
    assert {(m.decision, m.code.value) for m in result.matches} == {
        ("review", "duplicate_claim")
    }
    assert all("both claims are paid: reverse one award" in m.rule for m in result.matches)
    claims = _claims(store)
    assert claims["PD-2"][1] == "review" and claims["PD-1"][1] == "accepted"
    assert _points(store) == points  # dedupe moves no point


def test_a_refunded_claims_unit_is_not_claimed_again_by_a_form_dated_before(
    store: Store, tmp_path: Path
) -> None:
    """Trial 17: a claim re-using the serial of a void (paid, then refunded)
    claim received a day later was never flagged: the void claim is never
    checked itself, and the repeat counted as the earlier one."""
    from claimflow.api.points import reverse_claim

    _enrol(store, POUSADA)
    _ingest(store, tmp_path, "a_novembro.csv")  # received 09/11
    award_claims(POUSADA, store, at=NOW)
    reverse_claim("PD-2", POUSADA, store, reason="refunded", at=NOW)
    _ingest(store, tmp_path, "b_outubro.csv")  # received 21/10: before it
    dedupe_claims(store, POUSADA, now=NOW)
    assert award_claims(POUSADA, store, at=NOW).points == 0
    claims = _claims(store)
    assert claims["PD-1"][1] == "duplicate"
    assert all("claim PD-2" in m for m in _problems(store, claims["PD-1"][0]))
    assert sum(_points(store).values()) == 0


def test_a_paid_resubmission_still_supersedes_the_pended_claim_it_fixes(
    store: Store, tmp_path: Path
) -> None:
    """A stay pended for its missing check-out, then sent again complete and
    awarded before `dedupe claims` ran: the paid claim ranks first (settled),
    and it still supersedes the pended one instead of closing it as a
    duplicate (each paid at most once either way: the label and the SLA
    events are the member's story)."""
    _enrol(store, POUSADA)
    pended = FILES["b_outubro.csv"].replace(";04/10/2026;", ";;")  # no check-out
    _ingest(store, tmp_path, "b_outubro.csv", pended)  # received 21/10, pended
    _ingest(store, tmp_path, "a_novembro.csv")  # the fix, received 09/11
    assert award_claims(POUSADA, store, at=NOW).points > 0  # the fix, paid
    result = dedupe_claims(store, POUSADA, now=NOW)
    assert result.matches == []
    claims = _claims(store)
    assert result.superseded == [(claims["PD-2"][0], claims["PD-1"][0])]
    assert {ref: outcome for ref, (_, outcome) in claims.items()} == {
        "PD-1": "superseded",
        "PD-2": "accepted",
    }
