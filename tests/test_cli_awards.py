"""Award, ledger and participant commands, end to end on the sample client."""

from __future__ import annotations

import getpass
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from claimflow import Store
from tests.conftest import SAMPLES
from tests.test_cli import run

CONFIG = str(SAMPLES / "clients/acme-tools.yaml")


def _store(tmp_path: Path) -> str:
    db = str(tmp_path / "c.db")
    run(
        "ingest",
        str(SAMPLES / "acme-tools/claims/october.csv"),
        "--client",
        CONFIG,
        "--db",
        db,
    )
    code, out, _ = run(
        "participants",
        "import",
        str(SAMPLES / "acme-tools/participants.csv"),
        "--client",
        CONFIG,
        "--db",
        db,
    )
    assert (code, out) == (
        0,
        f"8 participants of acme-tools imported from {SAMPLES}/acme-tools/participants.csv"
        "; 8 new or changed facts recorded\n",
    )
    return db


def test_award_preview_post_and_rerun(tmp_path: Path) -> None:
    db = _store(tmp_path)
    code, out, _ = run("award", "--client", CONFIG, "--db", db, "--preview", "--json")
    preview = json.loads(out)
    assert (code, preview["computed"], preview["posted"]) == (0, 3, 0)
    code, out, _ = run("award", "--client", CONFIG, "--db", db, "--json")
    posted = json.loads(out)
    assert (posted["computed"], posted["posted"], posted["points"]) == (
        3,
        3,
        preview["points"],
    )
    code, out, _ = run("award", "--client", CONFIG, "--db", db, "--json")
    again = json.loads(out)
    assert (again["computed"], again["skipped"], again["already_awarded"]) == (0, 0, 3)
    assert posted["already_awarded"] == 0


def test_a_second_award_run_says_every_claim_was_awarded_before(
    tmp_path: Path,
) -> None:
    """Trial 36 #8: a second run printed `already posted 0` though all its
    claims were paid: the column counted awards this run found posted by a
    run beside it, and a second run computes none. It now counts the claims
    awarded already and says nothing new was awarded."""
    db = _store(tmp_path)
    run("award", "--client", CONFIG, "--db", db)
    code, out, _ = run("award", "--client", CONFIG, "--db", db)
    assert code == 0
    assert "│        0 │      0 │      0 │              3 │" in out
    assert out.endswith(
        "  nothing new to award; 3 claims already awarded by earlier runs\n"
    )


def test_explain_balance_reverse_and_export(tmp_path: Path) -> None:
    db = _store(tmp_path)
    run("award", "--client", CONFIG, "--db", db)
    claim = (
        json.loads(
            run(
                "check",
                str(SAMPLES / "acme-tools/claims/october.csv"),
                "--client",
                CONFIG,
                "--json",
            )[1]
        )["files"][0]["content_hash"][:12]
        + "-r2"
    )
    code, out, _ = run("award", "explain", claim, "--db", db)
    assert code == 0
    # the claim as people know it: its reference and where it came from
    assert (
        out.splitlines()[0] == "Claim AC-1001 (october.csv:row 2): 60 points under "
        "rules 2026.2 (activity 2026-10-02, USD)."
    )
    assert "drill: 2 x DRL-200 at 30 points each -> +60 points" in out
    code, out, _ = run(
        "ledger", "balance", "104233", "--client", CONFIG, "--db", db, "--json"
    )
    assert json.loads(out)["total"] == 60
    code, out, _ = run(
        "ledger", "reverse", claim, "--reason", "voided", "--client", CONFIG, "--db", db
    )
    assert (code, out) == (
        0,
        "claim AC-1001 (october.csv:row 2): 60 points reversed; the claim is void\n",
    )
    code, _, err = run(
        "ledger", "reverse", claim, "--reason", "again", "--client", CONFIG, "--db", db
    )
    assert code == 2
    assert err.startswith(  # named as people know it (trial 18), not by its store id
        "claimflow: error: claim AC-1001 (october.csv:row 2): its award was reversed "
        "already, by posting #"
    )
    assert err.endswith(" (voided)\n")
    # a claim that is not accepted is never awarded: say so, not "not yet"
    # named by its reference and row, not the store id it was asked by
    # (trial 43: 'claim AH-2 (f8d3dac1d118-r3) is review')
    code, _, err = run("award", "explain", claim[:-1] + "10", "--db", db)
    assert (code, err) == (
        2,
        "claimflow: error: claim AC-1008 (october.csv:row 10) is duplicate: "
        "only accepted claims are awarded\n",
    )
    # the explanation says the award was taken back (the Jakarta desk trial:
    # it still printed the full points after a refund, with no word of it)
    code, out, _ = run("award", "explain", claim, "--db", db)
    assert code == 0
    assert out.splitlines()[-1].startswith("  Reversed at ")
    assert out.splitlines()[-1].endswith("(voided): the claim is void.")
    code, out, _ = run(
        "ledger",
        "redeem",
        "104233",
        "10",
        "--reference",
        "R1",
        "--client",
        CONFIG,
        "--db",
        db,
    )
    assert code == 2
    out_file = tmp_path / "postings.csv"
    code, out, _ = run(
        "export", "awards", "--client", CONFIG, "--db", db, "--out", str(out_file)
    )
    # one row per posting, the reversal too (trial 18: it said "4 awards")
    assert out == f"4 ledger postings written to {out_file}\n"
    rows = out_file.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith(
        "posting_id,client,participant_id,claim_id,entry_type,points"
    )
    assert ",reversal,-60," in rows[-1]


def test_award_without_an_award_section_is_a_config_error(
    tmp_path: Path, write
) -> None:  # type: ignore[no-untyped-def]
    config = write("c.yaml", "client: x1\nname: X\nkind: sales\ndate_order: MDY\n")
    db = _store(tmp_path)
    code, _, err = run("award", "--client", str(config), "--db", db)
    assert (code, err) == (
        2,
        f"claimflow: error: {config}: award: no award section; this client's claims cannot be awarded yet\n",
    )


def test_report_and_queue_commands(tmp_path: Path) -> None:
    db = _store(tmp_path)
    code, out, _ = run(
        "report",
        "sla",
        "--client",
        CONFIG,
        "--db",
        db,
        "--period",
        "2026-10",
        "--as-of",
        "2026-11-05T00:00Z",
    )
    assert code == 0
    assert "Acme Power Tools Dealer Rewards: SLA report" in out
    # as the store stood then: its claims were decided when the store was
    # made (today), after 5 November (trial 19: --as-of changed nothing)
    assert "no claim received in the period is decided yet" in out
    html = tmp_path / "sla.html"
    code, out, _ = run(
        "report", "sla", "--client", CONFIG, "--db", db, "--out", str(html)
    )
    assert (code, out) == (
        0,
        f"Acme Power Tools Dealer Rewards: SLA report written to {html}\n",
    )
    assert html.read_text(encoding="utf-8").count("data:image/png;base64,") == 2
    code, out, _ = run(
        "queue",
        "--client",
        CONFIG,
        "--db",
        db,
        "--json",
        "--as-of",
        "2026-11-05T00:00Z",
    )
    queue = json.loads(out)
    # the accepted, not yet awarded claims (r2, r3, r11), the three pended
    # by ingest (r5, r6, r9): pended now, so not yet as of Nov 5, when they
    # were open (r5 and r9 past their due dates: in breach), and the three
    # ingest rejected or closed as duplicates (r7, r8, r10): closed now, by
    # an ingest after Nov 5, so as open then as the pended ones (trial 39)
    assert code == 0
    flags = {
        row["claim_id"][-3:]: (row["breached"], row["breaches_anyway"]) for row in queue
    }
    assert flags == {
        "-r2": (True, True),  # received in October, due by now
        "-r3": (True, True),
        "-r5": (True, True),
        "-r7": (True, True),
        "-r8": (True, True),
        "-r9": (True, True),
        "r10": (True, True),
        "r11": (False, True),  # due Nov 4: its business hours are over
        "-r6": (False, False),  # due Nov 5
    }
    # each named as people know it, the store id kept for machines (trial 18)
    named = {row["claim_id"][-3:]: row["claim"] for row in queue}
    assert named["-r2"] == "AC-1001 (october.csv:row 2)"
    code, out, _ = run(
        "queue", "--client", CONFIG, "--db", db, "--as-of", "2026-11-05T00:00Z"
    )
    assert code == 0 and "AC-1001" in out and "-r2" not in out
    checks = tmp_path / "checks.csv"
    checks.write_text(
        "operator,field,day,checked,errors\nana,invoice_number,2026-10-20,600,0\n"
    )
    assert json.loads(
        run("qa", "import", str(checks), "--client", CONFIG, "--db", db, "--json")[1]
    ) == {"file": str(checks), "imported": 1, "already_imported": None}
    # a second import of the same file is a no-op that says so (it doubled the counts)
    code, out, _ = run("qa", "import", str(checks), "--client", CONFIG, "--db", db)
    assert code == 0 and out.startswith(f"{checks}: already imported (as {checks} at ")
    with Store.open(Path(db)) as store:
        assert store.db.execute("SELECT count(*) FROM entry_checks").fetchone()[0] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("operator,field,day,checked,errors\nben,sku,2026-10-21,10,11\n")
    code, _, err = run("qa", "import", str(bad), "--client", CONFIG, "--db", db)
    assert (code, err) == (
        2,
        f"claimflow: error: {bad}: row 2: bad entry check: errors: expected 0 to 10 "
        "(the fields checked), found 11\n",
    )
    code, out, _ = run("report", "qa", "--client", CONFIG, "--db", db)
    assert "0 errors in 600 fields: below 0.50% at 95% confidence" in out


def test_source_verify_and_entry_commands(tmp_path: Path) -> None:
    db = _store(tmp_path)
    code, out, _ = run("verify", "--client", CONFIG, "--db", db)
    assert (code, out.splitlines()[0]) == (
        1,
        "acme-tools: 3 claims verified: not_found 3",
    )
    code, out, _ = run(
        "source",
        "import",
        str(SAMPLES / "acme-tools/source/dealer_sales.csv"),
        "--client",
        CONFIG,
        "--db",
        db,
    )
    assert out.splitlines() == [
        f"{SAMPLES}/acme-tools/source/dealer_sales.csv: 15 source records imported",
        "acme-tools: 3 claims verified: verified 3",
    ]
    code, out, _ = run(
        "source",
        "import",
        str(SAMPLES / "acme-tools/source/dealer_sales.csv"),
        "--client",
        CONFIG,
        "--db",
        db,
    )
    assert "already imported (15 records)" in out
    ana, ben = (
        str(SAMPLES / f"acme-tools/double-entry/keying_{n}.csv") for n in ("ana", "ben")
    )
    decisions = tmp_path / "decisions.xlsx"
    code, out, _ = run(
        "entry", "compare", ana, ben, "--client", CONFIG, "--out", str(decisions)
    )
    assert code == 1 and out.startswith(
        "8 differences between keying_ana.csv and keying_ben.csv"
    )
    assert "DE-005: invoice_date: '10/06/2026' vs '06/10/2026' (day/month swap)" in out
    code, out, _ = run(
        "entry", "sample", "--batch", "1", "--db", db, "--max-error-rate", "0.5%"
    )
    assert out.startswith(
        "audit 598 fields with no error to show < 0.5% at 95% confidence"
    )


def test_a_refund_voids_the_claim_and_a_correction_awards_it_again(
    tmp_path: Path,
) -> None:
    """The earn-refund-keep exploit: a stay refunded with `ledger reverse
    --reason refund` was awarded again by the next plain `award`."""
    db = _store(tmp_path)
    run("award", "--client", CONFIG, "--db", db)
    with Store.open(Path(db)) as store:
        first, second = (
            cid
            for (cid,) in store.db.execute(
                "SELECT claim_id FROM ledger WHERE entry_type = 'award' "
                "ORDER BY id LIMIT 2"
            )
        )
        before = store.db.execute("SELECT sum(points) FROM ledger").fetchone()[0]
    code, out, _ = run(
        "ledger", "reverse", first, "--reason", "refund", "--client", CONFIG, "--db", db
    )
    assert (code, out.endswith("the claim is void\n")) == (0, True)
    code, out, _ = run(
        "ledger", "reverse", second, "--reason", "wrong rate", "--correction",
        "--client", CONFIG, "--db", db,
    )  # fmt: skip
    assert (code, out.endswith("it will be awarded afresh\n")) == (0, True)
    code, out, _ = run("award", "--client", CONFIG, "--db", db, "--json")
    assert code == 0
    posted = [a["claim_id"] for a in json.loads(out)["awards"]]
    assert posted == [second]
    with Store.open(Path(db)) as store:
        outcome = store.db.execute(
            "SELECT outcome FROM claims WHERE id = ?", [first]
        ).fetchone()[0]
        events = store.db.execute(
            "SELECT event, operator FROM claim_events WHERE claim_id = ?", [first]
        ).fetchall()
        after = store.db.execute("SELECT sum(points) FROM ledger").fetchone()[0]
        [(points,)] = store.db.execute(
            "SELECT points FROM ledger WHERE claim_id = ? AND entry_type = 'award'",
            [first],
        ).fetchall()
    assert outcome == "void"
    # --operator not given: CLAIMFLOW_OPERATOR, else the login name
    who = os.environ.get("CLAIMFLOW_OPERATOR") or getpass.getuser()
    assert events[-1] == ("voided", who)
    assert after == before - points  # the void one is gone, the corrected one back
    code, out, _ = run("replay", "--client", CONFIG, "--db", db, "--json")
    assert json.loads(out)["changed"] == 0, out


def test_the_participants_reference_names_a_claim(tmp_path: Path) -> None:
    """Commands took only internal ids: `award explain NW-5002` said "no award
    computed yet" for a claim that had one."""
    db = _store(tmp_path)
    run("award", "--client", CONFIG, "--db", db)
    code, out, _ = run("award", "explain", "AC-1001", "--db", db)
    assert code == 0
    assert out.splitlines()[0].endswith(
        "60 points under rules 2026.2 (activity 2026-10-02, USD)."
    )
    code, _, err = run("award", "explain", "AC-9999", "--db", db)
    assert (code, err) == (
        2,
        "claimflow: error: no claim with the id or reference 'AC-9999'\n",
    )
    code, out, _ = run(
        "ledger",
        "reverse",
        "AC-1001",
        "--reason",
        "refund",
        "--client",
        CONFIG,
        "--db",
        db,
    )
    assert code == 0 and out.startswith("claim ") and "60 points reversed" in out
    with Store.open(Path(db)) as store:
        with store.transaction():
            store.db.execute(
                "UPDATE claims SET data = json_set(data, '$.claim_ref', 'AC-1002') "
                "WHERE json_extract(data, '$.claim_ref') = 'AC-1003'"
            )
        ids = [
            cid
            for (cid,) in store.db.execute(
                "SELECT id FROM claims WHERE json_extract(data, '$.claim_ref') = 'AC-1002' "
                "ORDER BY rowid"
            )
        ]
    code, _, err = run("award", "explain", "AC-1002", "--db", db)
    assert (code, err) == (
        2,
        f"claimflow: error: 2 claims have the reference 'AC-1002': {ids[0]}, {ids[1]}; "
        "name one by its id\n",
    )


@pytest.mark.sqlite_only  # its messages name the store file
def test_misleading_successes_are_errors(tmp_path: Path) -> None:
    """`ledger balance NOBODY` said 0 points, `export claims --batch 99` wrote
    0 claims, and a future `ledger expire --as-of` posted future expiry."""
    db = _store(tmp_path)
    code, _, err = run("ledger", "balance", "NOBODY", "--client", CONFIG, "--db", db)
    assert (code, err) == (
        2,
        "claimflow: error: participant NOBODY: not on acme-tools's member list or "
        "ledger (check the number, or import the member list)\n",
    )
    code, _, err = run(
        "export",
        "claims",
        "--all-clients",
        "--db",
        db,
        "--batch",
        "99",
        "--out",
        str(tmp_path / "x.csv"),
    )
    assert (code, err) == (2, f"claimflow: error: {db}: no batch 99\n")
    assert not (tmp_path / "x.csv").exists()
    run("award", "--client", CONFIG, "--db", db)
    code, _, err = run(
        "ledger", "expire", "--client", CONFIG, "--db", db, "--as-of", "2099-01-01"
    )
    assert code == 2 and "is in the future" in err
    with Store.open(Path(db)) as store:
        before = store.db.execute("SELECT count(*) FROM ledger").fetchone()[0]
    code, out, _ = run(
        "ledger",
        "expire",
        "--client",
        CONFIG,
        "--db",
        db,
        "--as-of",
        "2099-01-01",
        "--preview",
    )
    assert code == 0 and out.endswith("points would expire (preview: nothing posted)\n")
    assert int(out.split()[0].replace(",", "")) > 0
    with Store.open(Path(db)) as store:
        assert store.db.execute("SELECT count(*) FROM ledger").fetchone()[0] == before


def test_reverse_and_redeem_preview_post_nothing(tmp_path: Path) -> None:
    config = tmp_path / "acme.yaml"
    config.write_text(
        Path(CONFIG)
        .read_text(encoding="utf-8")
        .replace("pending_days: 30", "pending_days: 0"),
        encoding="utf-8",
    )
    db = _store(tmp_path)
    run("award", "--client", str(config), "--db", db)
    with Store.open(Path(db)) as store:
        before = store.db.execute("SELECT count(*), sum(points) FROM ledger").fetchone()
    code, out, _ = run("ledger", "reverse", "AC-1001", "--reason", "refund", "--preview",
                       "--client", str(config), "--db", db)  # fmt: skip
    assert code == 0 and out.endswith(
        "points would be reversed and the claim would be void; "
        "preview: nothing posted\n"
    )
    code, out, _ = run("ledger", "redeem", "104233", "10", "--reference", "R-1", "--preview",
                       "--client", str(config), "--db", db)  # fmt: skip
    assert (code, out) == (
        0,
        "104233: 10 points would be redeemed (preview: nothing posted) (R-1)\n",
    )
    code, _, err = run("ledger", "redeem", "104233", "999999", "--reference", "R-2", "--preview",
                       "--client", str(config), "--db", db)  # fmt: skip
    assert code == 2 and "cannot redeem 999,999\n" in err  # checked as for real
    with Store.open(Path(db)) as store:
        assert (
            store.db.execute("SELECT count(*), sum(points) FROM ledger").fetchone()
            == before
        )
        outcome = store.db.execute(
            "SELECT outcome FROM claims WHERE json_extract(data, '$.claim_ref') = 'AC-1001'"
        ).fetchone()[0]
    assert outcome == "accepted"
    # spent, then refunded: the reversal says the participant now owes points
    # (the Jakarta desk trial: a balance of -1,500 appeared with no word)
    code, out, _ = run("ledger", "balance", "104233", "--client", str(config),
                       "--db", db, "--json")  # fmt: skip
    available = json.loads(out)["available"]
    run("ledger", "redeem", "104233", str(available), "--reference", "R-3",
        "--client", str(config), "--db", db)  # fmt: skip
    code, out, _ = run("ledger", "reverse", "AC-1001", "--reason", "refund",
                       "--client", str(config), "--db", db)  # fmt: skip
    points = int(out.split(": ", 1)[1].split(" points")[0].replace(",", ""))
    assert code == 0 and out.endswith(
        f"; participant 104233's balance is now {-points:,} points (redeemed before "
        "the reversal): later awards make it up\n"
    )


def test_commands_that_need_claims_never_create_a_store(tmp_path: Path) -> None:
    """A mistyped --db on a command that reads claims created an empty store
    and exited 0; now the path is named and nothing is created."""
    missing = tmp_path / "typo.db"
    for args in (
        ["verify", "--client", CONFIG],
        ["entry", "sample", "1"],
        ["ledger", "balance", "104233", "--client", CONFIG],
        ["replay", "--client", CONFIG],
        ["show", "AC-1001"],
    ):
        code, _, err = run(*args, "--db", str(missing))
        assert code == 2, (args, err)
        assert "typo.db" in err and "does not exist" in err, (args, err)
        assert not missing.exists(), args


def test_balance_and_redeem_agree_after_a_refund_of_redeemed_points(
    tmp_path: Path,
) -> None:
    """balance showed points available that redeem then refused; once a
    redeemed award is refunded, the points are owed, not spendable."""
    config = tmp_path / "acme.yaml"
    config.write_text(
        Path(CONFIG)
        .read_text(encoding="utf-8")
        .replace("pending_days: 30", "pending_days: 0"),
        encoding="utf-8",
    )
    db = _store(tmp_path)
    run("award", "--client", str(config), "--db", db)

    def available() -> int:
        code, out, err = run(
            "ledger", "balance", "104233", "--client", str(config), "--db", db, "--json"
        )
        assert code == 0, err
        return int(json.loads(out)["available"])

    points = available()
    assert points > 0
    code, _, err = run(
        "ledger", "redeem", "104233", str(points + 1), "--reference", "O-1",
        "--client", str(config), "--db", db,
    )  # fmt: skip
    assert code == 2 and f"has {points:,} points available; cannot redeem" in err
    code, _, err = run(
        "ledger", "redeem", "104233", str(points), "--reference", "O-2",
        "--client", str(config), "--db", db,
    )  # fmt: skip
    assert code == 0, err
    assert available() == 0
    with Store.open(Path(db)) as store:
        (claim,) = store.db.execute(
            "SELECT claim_id FROM ledger WHERE participant_id = '104233' "
            "AND entry_type = 'award' LIMIT 1"
        ).fetchone()
    code, _, err = run(
        "ledger", "reverse", claim, "--reason", "refund",
        "--client", str(config), "--db", db,
    )  # fmt: skip
    assert code == 0, err
    assert available() == 0
    code, _, err = run(
        "ledger", "redeem", "104233", "1", "--reference", "O-3",
        "--client", str(config), "--db", db,
    )  # fmt: skip
    assert code == 2 and "has 0 points available; cannot redeem 1\n" in err


def test_award_exits_1_when_a_claim_is_not_awardable(tmp_path: Path) -> None:
    """Trial 15 #10: award listed a no_conversion_rate problem and exited 0;
    exit 1 is "findings that need attention" (README), as on ingest."""
    costa = str(SAMPLES / "clients/costa-azul.yaml")
    claims = tmp_path / "usd.csv"
    claims.write_text(
        "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
        "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
        "CA-902;300112457;José Núñez Peña;CAZ-MAD;MD4471998;02/10/2026;"
        "05/10/2026;400,00;USD;BAR;Directo;F-88198;20/10/2026;sí\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "c.db")
    code, _, err = run("ingest", str(claims), "--client", costa, "--db", db)
    assert code == 0, err
    run("participants", "import", str(SAMPLES / "costa-azul/participants.csv"),
        "--client", costa, "--db", db)  # fmt: skip
    code, out, _ = run("award", "--client", costa, "--db", db, "--json")
    found = json.loads(out)
    assert (code, found["computed"], found["posted"]) == (1, 0, 0)
    assert [p["code"] for p in found["problems"]] == ["no_conversion_rate"]
    # named as people know it, as the summary's other lines do: the line read
    # "usd.csv:row 2: expected a USD->EUR rate ..." (file and row, no CA-902)
    assert found["problems"][0]["claim"] == "CA-902 (usd.csv:row 2)"
    code, out, _ = run("award", "--client", costa, "--db", db)
    assert code == 1
    assert (
        "  CA-902 (usd.csv:row 2): expected a USD->EUR rate on or before "
        "2026-10-05, found none (no_conversion_rate)\n"
    ) in out


def test_a_stay_before_enrolment_earns_nothing_and_says_so(tmp_path: Path) -> None:
    """Trial 18 (D5): a member enrolled after the stay earned 0 points,
    posted as a silent 0-point award: the summary said 'not awardable 0' and
    award exited 0, so nobody learned the member earned nothing. It is
    listed with its reason, by the claim's reference, and award exits 1."""
    costa = str(SAMPLES / "clients/costa-azul.yaml")
    claims = tmp_path / "early.csv"
    claims.write_text(
        "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
        "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
        "CA-903;300199999;Ana Ruiz;CAZ-MAD;MD4471997;02/10/2026;"
        "05/10/2026;400,00;EUR;BAR;Directo;F-88197;20/10/2026;sí\n",
        encoding="utf-8",
    )
    members = tmp_path / "members.csv"
    members.write_text(
        "participant_id,first_name,last_name,tier,enrolled_on,status\n"
        "300199999,Ana,Ruiz,,2026-10-15,active\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "c.db")
    assert run("ingest", str(claims), "--client", costa, "--db", db)[0] == 0
    run("participants", "import", str(members), "--client", costa, "--db", db)
    code, out, _ = run("award", "--client", costa, "--db", db, "--json")
    found = json.loads(out)
    assert (code, found["computed"], found["points"]) == (1, 1, 0)
    assert found["earned_nothing"] == [
        {"claim": "CA-903 (early.csv:row 2)", "codes": ["not_enrolled"]}
    ]
    # again: posted once (settled at 0), nothing new to say
    code, out, _ = run("award", "--client", costa, "--db", db)
    assert code == 0 and "CA-903" not in out


def test_ledger_times_are_shown_at_the_desk_with_its_zone(tmp_path: Path) -> None:
    """New users read ledger times in UTC (``2026-12-01T15:30:00+00:00``) at
    a desk in Chicago: `show`, `award explain` and the ledger's refusals
    write them as the desk reads them, zone named; --json keeps the stored
    instant (ISO-8601 with its offset), for machines."""
    db = _store(tmp_path)
    base = ("--client", CONFIG, "--db", db, "--operator", "ann")
    assert run("award", *base, "--at", "2026-12-01T15:30:00+00:00")[0] == 0
    reverse = ("ledger", "reverse", "AC-1001", "--reason", "voided", *base)
    assert run(*reverse, "--at", "2026-12-02 09:05")[0] == 0  # desk time
    code, out, _ = run("show", "AC-1001", "--client", CONFIG, "--db", db)
    assert out.split("Ledger:\n")[1].splitlines()[:2] == [
        "  #1 2026-12-01 09:30 CST award +60 (ann)",
        "  #4 2026-12-02 09:05 CST reversal -60 reversing #1: voided (ann)",
    ]
    code, out, _ = run("show", "AC-1001", "--db", db, "--json")
    assert [p["posted_at"] for p in json.loads(out)["postings"]] == [
        "2026-12-01T15:30:00+00:00",
        "2026-12-02T15:05:00+00:00",
    ]
    code, out, _ = run("award", "explain", "AC-1001", "--client", CONFIG, "--db", db)
    assert out.splitlines()[-1] == (
        "  Reversed at 2026-12-02 09:05 CST (voided): the claim is void."
    )
    code, _, err = run(*reverse)
    assert (code, err) == (
        2,
        "claimflow: error: claim AC-1001 (october.csv:row 2): its award was "
        "reversed already, by posting #4 at 2026-12-02 09:05 CST (voided)\n",
    )


COSTA = str(SAMPLES / "clients/costa-azul.yaml")


def _costa(tmp_path: Path) -> str:
    db = str(tmp_path / "c.db")
    base = ("--client", COSTA, "--db", db)
    run("ingest", *map(str, sorted((SAMPLES / "costa-azul/claims").iterdir())), *base)
    run("participants", "import", str(SAMPLES / "costa-azul/participants.csv"), *base)
    assert run("award", *base)[0] == 0
    return db


def test_explain_and_redeem_write_every_figure_in_the_clients_locale(
    tmp_path: Path,
) -> None:
    """A new user at the es_ES desk read ``50% of 1,025 base points`` and
    ``rounding 1537.5 to 1538`` beside ``+1.025 points``, and ``cannot redeem
    1,000`` beside ``238``: every figure is written as Babel writes it in
    the client's locale."""
    from babel.numbers import format_currency, format_decimal

    def es(value: int | str) -> str:
        return format_decimal(Decimal(value), locale="es_ES", decimal_quantization=False)

    def eur(value: int | str) -> str:
        return format_currency(Decimal(value), "EUR", locale="es_ES")

    db = _costa(tmp_path)
    code, out, _ = run("award", "explain", "CA-501", "--client", COSTA, "--db", db)
    assert code == 0
    assert out.splitlines() == [
        f"Claim CA-501 (octubre.csv:row 2): {es(1538)} points under rules 2026 "
        "(activity 2026-10-05, EUR).",
        # the bracket is money: EUR with its cents, as Babel writes it in es_ES
        f"  1. base: stay at CAZ-MAD: 41 whole brackets of {eur(10)} at 25 -> "
        f"+{es(1025)} points",
        f"  2. elite: oro on 2026-10-05: 50% of {es(1025)} base points -> +512 points",
        f"  3. rounding: rounding {es('1537.5')} to {es(1538)} (half_up, per claim) "
        "-> +1 point",
        f"  Total: {es(1538)} points.",
    ]
    redeem = ("ledger", "redeem", "300112457", "--client", COSTA, "--db", db)
    code, out, _ = run(*redeem, "1200", "--reference", "ORD-1")
    assert (code, out) == (0, f"300112457: {es(1200)} points redeemed (ORD-1)\n")
    code, _, err = run(*redeem, "1000", "--reference", "ORD-2")
    assert (code, err) == (
        2,
        f"claimflow: error: participant 300112457 has {es(338)} points available; "
        f"cannot redeem {es(1000)}\n",
    )
    code, _, err = run(*redeem, "1000", "--reference", "ord 1")
    assert err.startswith(
        f"claimflow: error: reference 'ord 1' was used before as 'ORD-1': {es(1200)} "
        "points redeemed by participant 300112457 at "
    )
    code, out, _ = run("show", "CA-501", "--client", COSTA, "--db", db)
    assert f" award +{es(1538)} (" in out.split("Ledger:\n")[1]


@pytest.mark.parametrize(
    ("row", "found"),
    [
        (["ben", "sku", "2026-10-21", "10", "1"], 5),  # cut short: no batch
        (["ben", "sku", "2026-10-21", "10", "1", "1", "2"], 7),  # a stray field
    ],
)
def test_qa_import_refuses_a_row_not_as_wide_as_its_header(
    tmp_path: Path, row: list[str], found: int
) -> None:
    """A QA clerk's entry-check file cut short read its missing batch as
    empty (the check counted for no batch, exit 0), and a row with a stray
    field as if whole; such a row is refused, one line naming the file and
    row, and nothing is stored."""
    import csv

    db = str(tmp_path / "c.db")
    Store.open(Path(db)).close()  # qa import writes to a store that exists
    good = tmp_path / "checks.csv"
    with good.open("w", newline="") as fh:
        csv.writer(fh).writerows(
            [["operator", "field", "day", "checked", "errors", "batch_id"],
             ["ana", "invoice_number", "2026-10-20", "600", "0", "1"]]
        )  # fmt: skip
    assert run("qa", "import", str(good), "--client", CONFIG, "--db", db)[0] == 0

    def stored() -> list[list[tuple[object, ...]]]:
        with Store.open(Path(db)) as store:
            return [
                store.db.execute(f"SELECT * FROM {table}").fetchall()
                for table in ("entry_checks", "imports", "audit_log")
            ]

    before = stored()
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="") as fh:
        csv.writer(fh).writerows(
            [["operator", "field", "day", "checked", "errors", "batch_id"],
             ["ana", "sku", "2026-10-21", "50", "1", "1"],
             row]
        )  # fmt: skip
    code, out, err = run("qa", "import", str(bad), "--client", CONFIG, "--db", db)
    assert (code, out, err) == (
        2,
        "",
        f"claimflow: error: {bad}: row 3: expected 6 fields as in the header, "
        f"found {found} (truncated or misaligned row)\n",
    )
    assert stored() == before
