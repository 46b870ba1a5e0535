"""Verification against source records: every result, on the sample stories."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from claimflow import ResolvedClient, Store, ingest
from claimflow.award.run import award_claims
from claimflow.verify.match import key_distance, name_similarity
from claimflow.verify.run import verify_claims
from claimflow.verify.source import import_source, read_source
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 12, tzinfo=UTC)


def _results(store: Store) -> dict[str, tuple[str, str, list[str]]]:
    rows = store.db.execute(
        "SELECT json_extract(c.data, '$.claim_ref'), v.result, c.outcome, v.details "
        "FROM verifications v JOIN claims c ON c.id = v.claim_id ORDER BY v.id"
    )
    import json

    latest = {}
    for ref, result, outcome, details in rows:
        codes = [p["code"] for p in json.loads(details)["problems"]]
        latest[ref] = (result, outcome, codes)
    return latest


def _import(store: Store, client: ResolvedClient, path: Path) -> None:
    with store.transaction():
        import_source(store, client, path, NOW)
    verify_claims(store, client, now=NOW)


def test_sales_story_every_result(store: Store, acme: ResolvedClient) -> None:
    ingest([SAMPLES / "acme-tools/claims/october.csv"], acme, store)
    _import(store, acme, SAMPLES / "acme-tools/source/dealer_sales.csv")
    ingest([SAMPLES / "acme-tools/verification/claims_november.csv"], acme, store)
    _import(store, acme, SAMPLES / "acme-tools/verification/dealer_sales_november.csv")
    found = _results(store)
    assert found["AC-1001"] == ("verified", "accepted", [])
    assert found["AC-3001"] == ("not_found", "pended", ["source_not_found"])
    assert found["AC-3002"] == ("discrepancy", "review", ["source_mismatch"])
    assert found["AC-3003"] == (
        "discrepancy",
        "review",
        ["quantity_above_invoiced", "serial_not_in_source"],
    )
    assert found["AC-3004"] == ("discrepancy", "review", ["serial_not_in_source"])
    # a third unit of AC-1001's invoice line (2 invoiced, both claimed there):
    # over what was invoiced too (trial 35), a duplicate for its serial
    assert found["AC-3005"] == (
        "discrepancy",
        "duplicate",
        ["quantity_above_invoiced", "serial_claimed_before"],
    )
    assert found["AC-3006"] == ("ambiguous", "review", ["source_ambiguous"])
    assert found["AC-3007"] == ("verified", "accepted", [])
    # the earlier claim named as people know it, never by its store id (trial 17)
    ((details,),) = store.db.execute(
        "SELECT v.details FROM verifications v JOIN claims c ON c.id = v.claim_id "
        "WHERE json_extract(c.data, '$.claim_ref') = 'AC-3005'"
    ).fetchall()
    [said] = [
        p["message"]
        for p in json.loads(details)["problems"]
        if p["code"] == "serial_claimed_before"
    ]
    assert said.endswith("already claimed in an earlier batch by claim AC-1001 (october.csv:row 2)")
    # The late export arrives: the waiting claim is re-checked and verified.
    _import(store, acme, SAMPLES / "acme-tools/verification/dealer_sales_late.csv")
    assert _results(store)["AC-3001"] == ("verified", "accepted", [])


def test_stay_story_every_result(store: Store, costa: ResolvedClient) -> None:
    ingest([SAMPLES / "costa-azul/claims/octubre.csv"], costa, store)
    _import(store, costa, SAMPLES / "costa-azul/source/stays.csv")
    ingest([SAMPLES / "costa-azul/verification/retro_noviembre.csv"], costa, store)
    _import(store, costa, SAMPLES / "costa-azul/verification/stays_noviembre.csv")
    found = _results(store)
    assert found["CA-501"] == ("verified", "accepted", [])
    assert found["CA-701"] == ("discrepancy", "rejected", ["ota_booking"])
    assert found["CA-702"] == ("discrepancy", "review", ["source_mismatch"])
    assert found["CA-703"] == ("discrepancy", "review", ["overlapping_stay"])
    assert found["CA-704"] == (
        "discrepancy",
        "duplicate",
        ["name_mismatch", "claimed_by_other_account"],
    )
    assert found["CA-705"] == ("discrepancy", "review", ["name_mismatch"])
    assert found["CA-706"] == ("verified", "accepted", [])


def test_required_verification_gates_awards(store: Store, acme: ResolvedClient) -> None:
    strict = acme.model_copy(
        update={
            "config": acme.config.model_copy(
                update={
                    "verification": acme.config.verification.model_copy(
                        update={"required": True}
                    )
                }
            )
        }
    )
    ingest([SAMPLES / "acme-tools/claims/october.csv"], strict, store)
    assert award_claims(store, strict, now=NOW, preview=True).computed == 0
    _import(store, strict, SAMPLES / "acme-tools/source/dealer_sales.csv")
    assert award_claims(store, strict, now=NOW, preview=True).computed == 3


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("INV-20417", "INV-20417", 0),
        ("INV-20417", "inv 020417", 0),
        ("INV-2O417", "INV-20417", 0),
        ("INV-20417", "INV-20471", 1),
        ("INV-20417", "INV-2417", 1),
        ("INV-20417", "INV-99999", 5),
    ],
)
def test_key_distance(a: str, b: str, distance: int) -> None:
    assert key_distance(a, b) == distance


@pytest.mark.parametrize(
    ("claimed", "folio", "alike"),
    [
        ("José Núñez Peña", "NUNEZ PENA/JOSE MR", True),
        ("John Smith", "SMITH/JOHN MR", True),
        ("Smith John", "SMITH/JOHN", True),
        ("J. Smith", "SMITH/JOHN MR", True),
        ("Pedro Alarcón", "MARTIN/LUCIA MS", False),
        ("Juan García", "NUNEZ PENA/JOSE MR", False),
    ],
)
def test_name_similarity(claimed: str, folio: str, alike: bool) -> None:
    assert (name_similarity(claimed, folio) >= 0.8) is alike


def test_bad_source_row_names_row_and_field(acme: ResolvedClient, write) -> None:  # type: ignore[no-untyped-def]
    from claimflow import UnreadableInput

    path = write(
        "src.csv",
        "invoice_number,invoice_date,dealer_id,sku,quantity,amount\n"
        "INV-1,2026-13-40,D,DRL-200,1,10.00\n",
    )
    with pytest.raises(
        UnreadableInput, match="row 2:invoice_date: expected a date"
    ):
        list(read_source(path, acme))


def test_notices_explain_discrepancies_in_the_members_language(
    store: Store, costa: ResolvedClient, tmp_path: Path
) -> None:
    from tests.test_cli import run

    db = store.location
    store.close()
    config = str(SAMPLES / "clients/costa-azul.yaml")
    run(
        "ingest",
        str(SAMPLES / "costa-azul/verification/retro_noviembre.csv"),
        "--client",
        config,
        "--db",
        db,
    )

    def import_stays(notices: Path, *extra: str) -> tuple[int, str, str]:
        stays = SAMPLES / "costa-azul/verification/stays_noviembre.csv"
        return run(
            "source", "import", str(stays), "--client", config, "--db", db,
            "--notices", str(notices), *extra,
        )  # fmt: skip

    code, out, _ = import_stays(tmp_path / "n")
    assert out.splitlines()[-1] == f"4 notices written to {tmp_path / 'n'}"
    [ota] = (tmp_path / "n").glob("*300162210.txt")
    text = ota.read_text(encoding="utf-8")
    assert "Solicitud CA-701" in text and "Estado: no puede generar puntos" in text
    assert (
        "las estancias reservadas en agencias de viaje en línea no generan puntos"
        in text
    )
    # With --json, stdout is the JSON alone; what was imported and written goes
    # to stderr (a re-import is a no-op, and the notices are written again).
    code, out, err = import_stays(tmp_path / "again", "--json")
    assert json.loads(out)["client"] == "costa-azul"
    assert "already imported" in err


@pytest.mark.parametrize("in_sets", [False, True])
def test_a_stays_revenue_in_another_currency_than_its_folio_is_not_verified(
    store: Store, costa: ResolvedClient, tmp_path: Path, in_sets: bool
) -> None:
    """Trial 18 (D7): revenue was compared as bare numbers, so 860 claimed in
    USD on a folio of 860 EUR would verify and be awarded in dollars
    converted. Two currencies are never compared: the claim goes to a
    person, the message naming both currencies; the same currency still
    verifies."""
    header = (
        "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
        "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
    )
    claims = tmp_path / "claims.csv"
    claims.write_text(
        header
        + "CA-9001;300112457;José Núñez Peña;CAZ-MAD;MD9000001;02/10/2026;05/10/2026;"
        "860,00;USD;BAR;Directo;F-1;20/10/2026;sí\n"
        + "CA-9002;300112457;José Núñez Peña;CAZ-MAD;MD9000002;06/10/2026;08/10/2026;"
        "860,00;EUR;BAR;Directo;F-2;20/10/2026;sí\n",
        encoding="utf-8",
    )
    stays = tmp_path / "stays.csv"
    stays.write_text(
        "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
        "currency,rate_code,booking_channel,folio_number\n"
        "CAZ-MAD,MD9000001,NUNEZ PENA/JOSE MR,2026-10-02,2026-10-05,860.00,EUR,BAR,DIRECT,F-1\n"
        "CAZ-MAD,MD9000002,NUNEZ PENA/JOSE MR,2026-10-06,2026-10-08,860.00,EUR,BAR,DIRECT,F-2\n",
        encoding="utf-8",
    )
    from claimflow.verify.run import verify_claims_per_claim
    from claimflow.verify.sets import verify_in_sets

    ingest([claims], costa, store)
    with store.transaction():
        import_source(store, costa, stays, NOW)
    (verify_in_sets if in_sets else verify_claims_per_claim)(store, costa, now=NOW)
    found = _results(store)
    assert found["CA-9002"] == ("verified", "accepted", [])
    assert found["CA-9001"][0] == "discrepancy" and found["CA-9001"][1] == "review"
    ((details,),) = store.db.execute(
        "SELECT v.details FROM verifications v JOIN claims c ON c.id = v.claim_id "
        "WHERE json_extract(c.data, '$.claim_ref') = 'CA-9001'"
    ).fetchall()
    [said] = [p["message"] for p in json.loads(details)["problems"]]
    assert said == "expected EUR as in the source record, found USD"


def test_a_source_export_in_its_own_encoding_is_read_with_encoding(
    store: Store, costa: ResolvedClient, tmp_path: Path
) -> None:
    """Trials 18 and 19: `source import` had no --encoding; a hotel system's
    export in another code page than the client's could not be taken."""
    from tests.test_cli import run

    stays = (SAMPLES / "costa-azul/source/stays.csv").read_text(encoding="utf-8")
    path = tmp_path / "stays_latin2.csv"
    path.write_bytes(stays.replace("NUNEZ PENA/JOSE MR", "WIŚNIEWSKA/MAŁGORZATA MRS").encode("cp1250"))
    db = str(tmp_path / "s.db")
    config = str(SAMPLES / "clients/costa-azul.yaml")
    code, out, err = run(
        "source", "import", str(path), "--client", config, "--db", db,
        "--encoding", "cp1250", "--json",
    )  # fmt: skip
    assert code == 0, err
    with Store.open(db) as opened:
        names = [r[0] for r in opened.db.execute(
            "SELECT json_extract(data, '$.guest_name') FROM source_records"
        )]  # fmt: skip
    assert "WIŚNIEWSKA/MAŁGORZATA MRS" in names


_STAYS_HEADER = (
    "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
    "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
)


@pytest.mark.parametrize("in_sets", [False, True])
def test_stay_problems_name_the_other_claim_as_people_know_it(
    store: Store, costa: ResolvedClient, tmp_path: Path, in_sets: bool
) -> None:
    """Trial 20: ``source import pousada/estadias_pms.csv`` said
    ``overlapping_stay: ... found claim c2ea839d7d94-Estadias-r5`` (the store
    id of P-502, estadias_novembro.xlsx:sheet Estadias:row 5). The other
    claim of an overlapping stay, of a stay claimed by another account and of
    a stay already credited is named by its reference and file."""
    from claimflow.verify.run import verify_claims_per_claim
    from claimflow.verify.sets import verify_in_sets

    run = verify_in_sets if in_sets else verify_claims_per_claim
    first = tmp_path / "outubro.csv"
    first.write_text(
        _STAYS_HEADER
        + "CA-9101;300112457;José Núñez Peña;CAZ-MAD;MD9100001;02/10/2026;05/10/2026;"
        "400,00;EUR;BAR;Directo;F-1;20/10/2026;sí\n",
        encoding="utf-8",
    )
    later = tmp_path / "novembro.csv"
    later.write_text(
        _STAYS_HEADER
        + "CA-9102;300112457;José Núñez Peña;CAZ-BCN;BC9100002;03/10/2026;04/10/2026;"
        "150,00;EUR;BAR;Directo;F-2;10/11/2026;sí\n"
        + "CA-9103;300131118;José Núñez Peña;CAZ-MAD;MD9100001;02/10/2026;05/10/2026;"
        "400,00;EUR;BAR;Directo;F-1;10/11/2026;sí\n"
        + "CA-9104;300112457;José Núñez Peña;CAZ-MAD;MD9100010;02/10/2026;05/10/2026;"
        "400,00;EUR;BAR;Directo;F-1;11/11/2026;sí\n",
        encoding="utf-8",
    )
    stays = tmp_path / "stays.csv"
    stays.write_text(
        "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
        "currency,rate_code,booking_channel,folio_number\n"
        "CAZ-MAD,MD9100001,NUNEZ PENA/JOSE MR,2026-10-02,2026-10-05,400.00,EUR,BAR,DIRECT,F-1\n"
        "CAZ-BCN,BC9100002,NUNEZ PENA/JOSE MR,2026-10-03,2026-10-04,150.00,EUR,BAR,DIRECT,F-2\n",
        encoding="utf-8",
    )
    ingest([first], costa, store)
    with store.transaction():
        import_source(store, costa, stays, NOW)
    run(store, costa, now=NOW)
    ingest([later], costa, store)
    run(store, costa, now=NOW)
    said = {
        ref: [f"{p['code']}: {p['message']}" for p in json.loads(details)["problems"]]
        for ref, details in store.db.execute(
            "SELECT json_extract(c.data, '$.claim_ref'), v.details FROM verifications v "
            "JOIN claims c ON c.id = v.claim_id ORDER BY v.id"
        )
    }
    first_claim = "CA-9101 (outubro.csv:row 2)"
    assert said["CA-9102"] == [
        "overlapping_stay: expected no other stay on these dates, found claim "
        f"{first_claim} (2026-10-02 to 2026-10-05)",
        "overlapping_stay: expected no other stay on these dates, found claim "
        "CA-9104 (novembro.csv:row 4) (2026-10-02 to 2026-10-05)",
    ]
    assert said["CA-9103"] == [
        "claimed_by_other_account: expected this stay on one account, found it "
        f"claimed by 300112457 (claim {first_claim})"
    ]
    # CA-9104 keyed the first stay a slip away (MD9100010 for MD9100001):
    # the stay its problems are about is named so
    slip = (
        "the stay of source record MD9100001 (stays.csv:row 2, a keying slip "
        "from MD9100010)"
    )
    assert said["CA-9104"][2:] == [
        f"already_credited: {slip} was already credited by claim {first_claim}",
        f"claimed_by_other_account: expected {slip} on one account, found it "
        "claimed by 300131118 (claim CA-9103 (novembro.csv:row 3))",
    ]


_RETRO = (
    "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
    "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
    "CA-9101;300112457;José Núñez Peña;CAZ-MAD;MD9100001;02/10/2026;05/10/2026;"
    "860,00;EUR;BAR;Directo;F-1;20/10/2026;sí\n"
)


def _notice_rows(store_at: Path | str) -> int:
    with Store.open(store_at) as store:
        ((count,),) = store.db.execute("SELECT count(*) FROM notices").fetchall()
    return int(count)


def test_a_claim_still_waiting_for_source_data_is_noticed_once(
    store: Store, tmp_path: Path
) -> None:
    """A desk runs ``verify`` every day: a claim still waiting for source
    data stored (and wrote) the same notice to its participant every run.
    A re-verify with the same result and problems says so and stores no
    notice; once the result changes (the stay arrives, with another
    revenue), the participant is told."""
    from tests.test_cli import run

    db = store.location
    store.close()
    config = str(SAMPLES / "clients/costa-azul.yaml")
    claims = tmp_path / "retro.csv"
    claims.write_text(_RETRO, encoding="utf-8")
    code, _, err = run("ingest", str(claims), "--client", config, "--db", db)
    assert code == 0, err
    ingested = _notice_rows(db)

    def verify(day: str) -> tuple[int, str, str]:
        return run(
            "verify", "--client", config, "--db", db, "--at", f"2026-11-{day}T09:00",
            "--notices", str(tmp_path / day),
        )  # fmt: skip

    code, out, _ = verify("12")
    assert code == 1
    assert out.splitlines()[-1] == f"1 notice written to {tmp_path / '12'}"
    assert _notice_rows(db) == ingested + 1
    code, out, _ = verify("13")
    assert code == 1  # still not verified
    assert out.splitlines()[-1] == (
        f"no notices written to {tmp_path / '13'}: 1 claim unchanged since "
        "their last verification, not noticed again"
    )
    assert _notice_rows(db) == ingested + 1
    assert not list((tmp_path / "13").glob("*.txt"))
    code, out, _ = verify("14")
    assert _notice_rows(db) == ingested + 1
    # the stay arrives, its revenue not the claimed one: a new result, told
    stays = tmp_path / "stays.csv"
    stays.write_text(
        "hotel_code,confirmation_number,guest_name,arrival,departure,room_revenue,"
        "currency,rate_code,booking_channel,folio_number\n"
        "CAZ-MAD,MD9100001,NUNEZ PENA/JOSE MR,2026-10-02,2026-10-05,520.00,EUR,BAR,"
        "DIRECT,F-1\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        "source", "import", str(stays), "--client", config, "--db", db,
        "--notices", str(tmp_path / "15"),
    )  # fmt: skip
    assert out.splitlines()[-1] == f"1 notice written to {tmp_path / '15'}"
    assert _notice_rows(db) == ingested + 2


@pytest.mark.parametrize("in_sets", [False, True])
def test_reverifying_an_unchanged_claim_stores_no_notice(
    store: Store, costa: ResolvedClient, tmp_path: Path, in_sets: bool
) -> None:
    """Both paths: a first verification is owed a notice; a second with the
    same result and problems is counted unchanged, with none."""
    from claimflow.verify.run import verify_claims_per_claim
    from claimflow.verify.sets import verify_in_sets

    claims = tmp_path / "retro.csv"
    claims.write_text(_RETRO, encoding="utf-8")
    ingest([claims], costa, store)
    verify = verify_in_sets if in_sets else verify_claims_per_claim
    first = verify(store, costa, now=NOW)
    assert (first.results["not_found"], first.unchanged) == (1, 0)
    assert [i.claim_id for i in first.notice_items] == [
        first.details[0]["claim_id"]
    ]
    ((before,),) = store.db.execute("SELECT count(*) FROM notices").fetchall()
    again = verify(store, costa, now=NOW)
    assert (again.results["not_found"], again.unchanged) == (1, 1)
    assert again.notice_items == [] and again.notices == []
    assert again.to_dict()["unchanged"] == 1
    ((after,),) = store.db.execute("SELECT count(*) FROM notices").fetchall()
    assert after == before
    # every run's result stays on record
    ((runs,),) = store.db.execute("SELECT count(*) FROM verifications").fetchall()
    assert runs == 2


def _problem(code: str, message: str) -> Any:
    from claimflow.codes import ReasonCode
    from claimflow.models import Problem, Provenance

    return Problem(
        source=Provenance(file="c.csv", row=2),
        code=ReasonCode(code),
        message=message,
        record_id="c1",
    )


NOT_FOUND = ("source_not_found", "expected a source record, found none yet")
MISMATCH = ("source_mismatch", "expected 520.00, found 860.00")


@pytest.mark.parametrize(
    ("previous", "result", "problems", "repeated"),
    [
        (None, "not_found", [NOT_FOUND], False),  # first verification
        (("not_found", [NOT_FOUND]), "not_found", [NOT_FOUND], True),
        (("not_found", [NOT_FOUND]), "discrepancy", [NOT_FOUND], False),
        (("discrepancy", [MISMATCH]), "discrepancy", [NOT_FOUND], False),
        (
            ("discrepancy", [MISMATCH]),
            "discrepancy",
            [(MISMATCH[0], "expected 520.00, found 861.00")],
            False,
        ),
        (("discrepancy", [MISMATCH, NOT_FOUND]), "discrepancy", [MISMATCH], False),
        (  # the same problems in another order
            ("discrepancy", [MISMATCH, NOT_FOUND]),
            "discrepancy",
            [NOT_FOUND, MISMATCH],
            True,
        ),
    ],
)
def test_repeats_needs_the_same_result_codes_and_messages(
    previous: Any, result: str, problems: list[tuple[str, str]], repeated: bool
) -> None:
    from claimflow.verify.match import Verification
    from claimflow.verify.run import repeats

    verification = Verification(
        claim_id="c1",
        result=result,
        problems=tuple(_problem(*p) for p in problems),
    )
    assert repeats(previous, verification) is repeated
