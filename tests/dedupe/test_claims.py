"""Claim duplicates against history: each kind, explained, never self-flagged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from claimflow import ResolvedClient, Store, ingest
from claimflow.dedupe.claims import dedupe_claims
from tests.conftest import SAMPLES
from tests.test_cli import run

NOW = datetime(2026, 11, 20, tzinfo=UTC)
SALES = "Claim ID,Rep #,Dealer Code,Invoice No,Invoice Date,Product Code,Qty,Serials,Received\n"
STAYS = "Nº socio;Hotel;Confirmación;Llegada;Salida;Recibido;Folio adjunto\n"


def _run(
    store: Store,
    client: ResolvedClient,
    write: Callable[..., Path],
    *batches: tuple[str, str],
) -> dict[str, list[tuple[str, str, str]]]:
    for n, (header, rows) in enumerate(batches):
        ingest([write(f"b{n}.csv", header + rows)], client, store)
    result = dedupe_claims(store, client, now=NOW)
    refs = dict(
        store.db.execute("SELECT id, json_extract(data, '$.claim_ref') FROM claims")
    )
    found: dict[str, list[tuple[str, str, str]]] = {}
    for m in result.matches:
        found.setdefault(refs[m.claim_id], []).append(
            (m.decision, m.code.value, refs[m.original])
        )
    return found


def test_sales_duplicates_of_each_kind(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    october = (
        "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,2,DR10000017 DR10000018,2026-10-20\n"
        "A2,104234,D-CHI-01,INV-2026000500,10/05/2026,SAW-310,1,SW20000001,2026-10-20\n"
        "A3,104235,D-MKE-02,INV-20600,10/06/2026,GRN-115,1,GR40000001,2026-10-20\n"
        "A4,104240,D-CHI-01,INV-2026000600,10/08/2026,IMP-450,1,IM30000001,2026-10-20\n"
    )
    november = (
        "B1,104876,D-IND-03,INV-30001,11/02/2026,DRL-200,1,DR10000017,2026-11-10\n"
        "B2,104233,D-CHI-01,INV-2026000471,10/02/2026,DRL-200,2,,2026-11-10\n"
        "B3,104234,D-STL-04,,10/07/2026,SAW-310,1,,2026-11-10\n"
        "B4,104236,D-MKE-02,INV-20601,10/06/2026,GRN-115,1,,2026-11-10\n"
        "B5,104299,D-CHI-01,INV-2026000601,10/08/2026,IMP-450,1,IM30000002,2026-11-10\n"
        "B6,104240,D-CHI-01,INV-2026000610,10/08/2026,IMP-450,1,IM30000003,2026-11-10\n"
        "B7,104235,D-MKE-02,INV-20777,10/06/2026,GRN-115,1,GR40000009,2026-11-10\n"
    )
    found = _run(store, acme, write, (SALES, october), (SALES, november))
    assert found["B1"] == [("duplicate", "serial_claimed_before", "A1")]
    # Two digits swapped in a long invoice, no serials to tell it apart; and
    # the same rep, SKU, date and quantity.
    assert found["B2"] == [
        ("duplicate", "duplicate_claim", "A1"),
        ("review", "possible_duplicate", "A1"),
    ]
    # Same rep, SKU and quantity two days apart, nothing to tell them apart.
    assert found["B3"] == [("review", "possible_duplicate", "A2")]
    # One digit off on a short invoice, same dealer, SKU and date: a person decides.
    assert found["B4"] == [("review", "possible_duplicate", "A3")]
    # The dealer's next invoice with other serials, by another rep: another sale.
    assert "B5" not in found
    # ... even by the same rep on the same day: other units, another sale.
    assert "B6" not in found
    # Same rep, SKU, quantity and date, but another invoice and other serials.
    assert "B7" not in found
    assert {"A1", "A2", "A3", "A4"}.isdisjoint(found)  # originals stay clean


def test_a_clients_windows_and_slip_limits_decide_what_is_compared(
    store: Store, acme: ResolvedClient, write: Callable[..., Path], tmp_path: Path
) -> None:
    from claimflow import load_client

    sample = (SAMPLES / "clients" / "acme-tools.yaml").read_text(encoding="utf-8")
    path = tmp_path / "narrow.yaml"
    path.write_text(
        sample + "dedupe:\n  claims: {near_days: 1, slips_short: 0}\n",
        encoding="utf-8",
    )
    narrow = load_client(path)
    assert narrow.config.dedupe.claims.near_days == 1
    october = (
        "A2,104234,D-CHI-01,INV-2026000500,10/05/2026,SAW-310,1,SW20000001,2026-10-20\n"
        "A3,104235,D-MKE-02,INV-20600,10/06/2026,GRN-115,1,GR40000001,2026-10-20\n"
    )
    november = (
        "B3,104234,D-STL-04,,10/07/2026,SAW-310,1,,2026-11-10\n"
        "B4,104236,D-MKE-02,INV-20601,10/06/2026,GRN-115,1,,2026-11-10\n"
    )
    # Two days apart is outside a one-day window; a slip on a short invoice
    # is not tolerated at all: neither is flagged under this client's terms.
    assert _run(store, narrow, write, (SALES, october), (SALES, november)) == {}
    # The sample client's defaults (3 days, one slip) flag both for review.
    result = dedupe_claims(store, acme, now=NOW)
    assert sorted(m.code.value for m in result.matches) == ["possible_duplicate"] * 2
    assert "within 3 days" in " ".join(m.rule for m in result.matches)
    # the rule says what the claim lacks: B3 has neither invoice nor serials
    [rep] = [m for m in result.matches if m.rule.startswith("same participant")]
    assert rep.rule.endswith("without the invoice or serial numbers that would tell them apart")


def test_the_original_is_the_earliest_instant_whatever_the_offsets(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    # A arrived at 00:30 UTC; B at 20:00 in Chicago, 01:00 UTC: later, though
    # its text sorts first.
    found = _run(
        store,
        acme,
        write,
        (
            SALES,
            "A,104233,D-CHI-01,INV-3001,10/02/2026,DRL-200,1,DR10000031,"
            "2026-10-21T00:30:00+00:00\n",
        ),
        (
            SALES,
            "B,104234,D-CHI-01,INV-7777,10/02/2026,DRL-200,1,DR10000031,"
            "2026-10-20T20:00:00-05:00\n",
        ),
    )
    assert found == {"B": [("duplicate", "serial_claimed_before", "A")]}


def test_duplicates_cluster_under_the_earliest_claim_and_explain_themselves(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    batches = [
        "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n",
        "B1,104876,D-IND-03,INV-30001,10/20/2026,DRL-200,2,DR10000017 DR10000018,"
        "2026-11-10\n",
        "C1,104877,D-IND-03,INV-30999,11/20/2026,DRL-200,1,dr-10000018,2026-12-01\n",
    ]
    for n, rows in enumerate(batches):
        ingest([write(f"b{n}.csv", SALES + rows)], acme, store)
    result = dedupe_claims(store, acme, now=NOW)
    refs = dict(
        store.db.execute("SELECT id, json_extract(data, '$.claim_ref') FROM claims")
    )
    by_claim = {refs[m.claim_id]: m for m in result.matches}
    assert set(by_claim) == {"B1", "C1"}
    later = by_claim["C1"]
    # C1 repeats B1's second serial; B1 repeats A1: A1 is the original of both.
    assert (refs[later.original], refs[later.duplicate_of]) == ("B1", "A1")
    assert later.rule == "same serial number claimed again"
    # each claim's serial as its participant keyed it, not as matched (DR10000018)
    assert later.compared == "serial dr-10000018 vs DR10000018"
    assert later.source.endswith("b2.csv:row 2")
    outcomes = dict(store.db.execute("SELECT id, outcome FROM claims"))
    assert [outcomes[i] == "duplicate" for i in sorted(refs, key=refs.get)] == [
        False,
        True,
        True,
    ]
    message = store.db.execute(
        "SELECT message FROM problems WHERE claim_id = ? AND code = ?",
        [later.claim_id, "serial_claimed_before"],
    ).fetchone()[0]
    # the earlier claims as people know them: reference and where they came from
    assert message.endswith(
        "as claim B1 (b1.csv:row 2) (duplicate of claim A1 (b0.csv:row 2))"
    )


def test_stay_duplicates_of_each_kind(
    store: Store, costa: ResolvedClient, write: Callable[..., Path]
) -> None:
    first = (
        "300112457;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;20/10/2026;sí\n"
        "300120031;CAZ-VLC;VL3390017;10/10/2026;12/10/2026;20/10/2026;sí\n"
        "300130000;CAZ-BCN;BC5550001;01/10/2026;04/10/2026;20/10/2026;sí\n"
    )
    later = (
        "300112457;CAZ-MAD;MD4471920;02/10/2026;05/10/2026;10/11/2026;sí\n"
        "300999001;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;10/11/2026;sí\n"
        "300130000;CAZ-BCN;;02/10/2026;05/10/2026;10/11/2026;sí\n"
        # its own, clearly different confirmation: a second room, not a repeat
        "300120031;CAZ-VLC;VL3399999;11/10/2026;13/10/2026;10/11/2026;sí\n"
    )
    for n, rows in enumerate((first, later)):
        ingest([write(f"s{n}.csv", STAYS + rows, encoding="cp1252")], costa, store)
    result = dedupe_claims(store, costa, now=NOW)
    rows = dict(
        store.db.execute(
            "SELECT id, participant_id || ':' || coalesce(json_extract(data, "
            "'$.confirmation_number'), '') FROM claims"
        )
    )
    found = {
        (rows[m.claim_id], m.decision, m.code.value, rows[m.original])
        for m in result.matches
    }
    assert found == {
        ("300112457:MD4471920", "duplicate", "duplicate_claim", "300112457:MD4471902"),
        ("300112457:MD4471920", "duplicate", "duplicate_claim", "300112457:MD4471902"),
        (
            "300999001:MD4471902",
            "duplicate",
            "claimed_by_other_account",
            "300112457:MD4471902",
        ),
        ("300130000:", "review", "overlapping_stay", "300130000:BC5550001"),
    }


def test_running_twice_flags_nothing_new_and_different_pairs_stay_apart(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    rows = (
        "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n",
        "B2,104233,D-CHI-01,INV-2026000471,10/02/2026,DRL-200,1,DR10000999,2026-11-10\n",
    )
    ingest([write("a.csv", SALES + rows[0])], acme, store)
    ingest([write("b.csv", SALES + rows[1])], acme, store)
    ids = [i for (i,) in store.db.execute("SELECT id FROM claims ORDER BY rowid")]
    with store.transaction():
        store.db.execute(
            "INSERT INTO dedupe_decisions (kind, a, b, decision, decided_by, "
            "decided_at) VALUES ('claim', ?, ?, 'different', 'ann', 'x')",
            sorted(ids),
        )
    assert dedupe_claims(store, acme, now=NOW).matches == []
    assert dedupe_claims(store, acme, now=NOW).matches == []


ACME = str(SAMPLES / "clients" / "acme-tools.yaml")


def _ingest_batches(db: Path, write: Callable[..., Path], *batches: str) -> None:
    """Ingest each batch of sales rows through the CLI, in order."""
    for n, rows in enumerate(batches):
        run(
            "ingest",
            str(write(f"{chr(ord('a') + n)}.csv", SALES + rows)),
            "--client",
            ACME,
            "--db",
            str(db),
        )


def _two_look_alikes(tmp_path: Path, write: Callable[..., Path]) -> Path:
    """A store where B4 looks like A3 (one digit off a short invoice): to review."""
    client = ACME
    db = tmp_path / "c.db"
    first = "A3,104235,D-MKE-02,INV-20600,10/06/2026,GRN-115,1,GR40000001,2026-10-20\n"
    later = (
        "B4,104236,D-MKE-02,INV-20601,10/06/2026,GRN-115,1,,2026-11-10\n"
        "B8,104237,D-MKE-02,INV-21600,10/06/2026,GRN-115,1,,2026-11-10\n"
    )
    _ingest_batches(db, write, first, later)
    code, out, _ = run("dedupe", "claims", "--client", client, "--db", str(db))
    assert code == 1 and "0 duplicates, 2 to review" in out
    return db


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_review_file_round_trip(
    tmp_path: Path, write: Callable[..., Path], suffix: str
) -> None:
    db = _two_look_alikes(tmp_path, write)
    client = ACME
    review = tmp_path / f"review{suffix}"
    code, out, _ = run(
        "dedupe", "review", "--client", client, "--db", str(db), "--out", str(review)
    )
    assert code == 0 and "2 claim pairs to review" in out
    marked = (
        pd.read_excel(review, dtype=str)
        if suffix == ".xlsx"
        else pd.read_csv(review, dtype=str, keep_default_na=False)
    )
    assert list(marked["a_ref"]) == ["B4", "B8"]
    assert set(marked["b_ref"]) == {"A3"}
    assert (
        marked["rule"][0] == "same invoice and SKU for the same dealer (1 keying slip), "
        "but another participant"
    )
    assert marked["compared"][0] == "invoice INV-20601 vs INV-20600, SKU GRN-115"
    assert marked["b_source"][0].endswith("a.csv:row 2")
    marked["decision"] = ["different", "same"]
    if suffix == ".xlsx":
        marked.to_excel(review, index=False)
    else:
        marked.to_csv(review, index=False)
    code, out, _ = run(
        "dedupe", "apply", str(review), "--db", str(db), "--operator", "ann"
    )
    assert code == 0
    assert out == (
        "2 decisions stored: 1 claim now a duplicate, 1 back to their earlier outcome\n"
    )
    with Store.open(db) as store:
        outcomes = dict(
            store.db.execute(
                "SELECT json_extract(data, '$.claim_ref'), outcome FROM claims"
            )
        )
        stages = store.db.execute(
            "SELECT o.stage, o.outcome FROM outcomes o JOIN claims c ON c.id = o.claim_id "
            "WHERE json_extract(c.data, '$.claim_ref') = 'B4' ORDER BY o.id"
        ).fetchall()
        audit = store.db.execute(
            "SELECT actor, detail FROM audit_log WHERE action = 'dedupe apply'"
        ).fetchall()
    # B4 was pended at ingest (no serials), review after dedupe, pended again.
    assert stages == [
        ("validate", "pended"),
        ("dedupe", "review"),
        ("dedupe review", "pended"),
    ]
    assert outcomes["B8"] == "duplicate"
    assert audit[0][0] == "ann" and '"restored": 1' in audit[0][1]
    # Nothing is left to review, and the pair marked different is never flagged again.
    code, out, _ = run(
        "dedupe", "review", "--client", client, "--db", str(db), "--out", str(review)
    )
    assert "0 claim pairs to review" in out
    code, out, _ = run("dedupe", "claims", "--client", client, "--db", str(db))
    assert code == 0 and "0 duplicates, 0 to review" in out


def test_an_unmarked_review_row_stores_nothing(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    db = _two_look_alikes(tmp_path, write)
    client = ACME
    review = tmp_path / "review.csv"
    run("dedupe", "review", "--client", client, "--db", str(db), "--out", str(review))
    marked = pd.read_csv(review, dtype=str, keep_default_na=False)
    marked["decision"] = ["different", ""]
    marked.to_csv(review, index=False)
    before = db.read_bytes()
    code, _, err = run("dedupe", "apply", str(review), "--db", str(db))
    assert code == 2
    assert "review.csv: row 3: decision: expected same or different, found ''" in err
    assert db.read_bytes() == before


def test_duplicates_reach_the_participant_notice_and_the_audit_log(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    client = ACME
    db, notices = tmp_path / "c.db", tmp_path / "notices"
    first = (
        "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n"
    )
    # keyed as the participant wrote it; matched as normalised (DR10000017)
    later = (
        "B1,104876,D-IND-03,INV-30001,11/02/2026,DRL-200,1,dr-1000-0017,2026-11-10\n"
    )
    _ingest_batches(db, write, first, later)
    code, out, _ = run(
        "dedupe",
        "claims",
        "--client",
        client,
        "--db",
        str(db),
        "--notices",
        str(notices),
    )
    assert code == 1 and "1 notice written" in out
    (notice,) = notices.glob("*.txt")
    assert [p.name for p in notices.glob("*.eml")] == [notice.stem + ".eml"]
    text = notice.read_text(encoding="utf-8")
    assert "104876" in notice.name
    assert "Claim B1, sold on Nov 2, 2026\n  Status: already claimed\n" in text
    # the serial as this participant keyed it, and nothing of the earlier
    # claim's participant (104233): neither its reference A1 nor its invoice
    assert (
        "  - serial numbers: this serial number was already claimed earlier "
        "(we read: dr-1000-0017)\n"
        "    It was claimed before, on Oct 20, 2026, under another account.\n"
    ) in text
    assert "A1" not in text and "INV-2026000417" not in text and "104233" not in text
    assert "DR10000017" not in text
    with Store.open(db) as store:
        (detail,) = store.db.execute(
            "SELECT detail FROM audit_log WHERE action = 'dedupe claims'"
        ).fetchone()
    assert '"duplicates": 1' in detail


def test_a_corrupt_review_workbook_is_refused_in_one_line(tmp_path: Path) -> None:
    review = tmp_path / "review.xlsx"
    review.write_bytes(b"not a zip")
    code, _, err = run("dedupe", "apply", str(review), "--db", str(tmp_path / "c.db"))
    assert code == 2
    assert err.strip().endswith(
        "review.xlsx: not a readable .xlsx workbook (File is not a zip file)"
    )
    assert "Traceback" not in err and not (tmp_path / "c.db").exists()


def test_the_same_invoice_weeks_apart_is_found_through_its_one_key(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    # one key row per invoice line serves both the exact rule (invoice_days,
    # 45) and the look-alike rule (near_days, 3)
    first = "A1,104233,D-CHI-01,INV-77150,09/01/2026,DRL-200,1,,2026-10-20\n"
    again = (
        "B1,104876,D-CHI-01,INV 77150,10/11/2026,DRL-200,1,,2026-11-10\n"
        "B2,104877,D-CHI-01,INV-77151,10/20/2026,DRL-200,1,,2026-11-10\n"
    )
    found = _run(store, acme, write, (SALES, first), (SALES, again))
    assert found["B1"] == [("duplicate", "duplicate_claim", "A1")]
    assert "B2" not in found  # a slip away, but days apart: not a re-keying
    blocks = [b for (b,) in store.db.execute("SELECT block FROM claim_keys")]
    assert (
        sorted(b for b in blocks if b.startswith("ds|"))
        == ["ds|D-CHI-01|DRL-200|1"] * 3
    )


def test_a_corrected_resubmission_supersedes_the_pended_claim(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    """A participant's corrected resubmission of a pended claim was flagged
    as a duplicate of it, so neither could be paid."""
    october = (
        # pended: the invoice number is not in the program's format
        "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n"
        # accepted
        "A2,104234,D-CHI-01,INV-20500,10/05/2026,SAW-310,1,SW20000001,2026-10-20\n"
    )
    november = (
        # the same sale, invoice corrected: a resubmission
        "B1,104233,D-CHI-01,INV-20417,10/02/2026,DRL-200,1,DR10000017,2026-11-10\n"
        # the accepted sale sent again: still a duplicate
        "B2,104234,D-CHI-01,INV-20500,10/05/2026,SAW-310,1,SW20000001,2026-11-10\n"
    )
    found = _run(store, acme, write, (SALES, october), (SALES, november))
    assert "B1" not in found
    assert found["B2"][0] == ("duplicate", "serial_claimed_before", "A2")
    rows = dict(
        store.db.execute(
            "SELECT json_extract(data, '$.claim_ref'), outcome FROM claims"
        ).fetchall()
    )
    assert rows == {
        "A1": "superseded",
        "A2": "accepted",
        "B1": "accepted",
        "B2": "duplicate",
    }
    ids = dict(
        store.db.execute(
            "SELECT json_extract(data, '$.claim_ref'), id FROM claims"
        ).fetchall()
    )
    assert store.db.execute(
        "SELECT claim_id, supersedes FROM claim_links"
    ).fetchall() == [(ids["B1"], ids["A1"])]
    events = store.db.execute(
        "SELECT event, at FROM claim_events WHERE claim_id = ? ORDER BY id", [ids["A1"]]
    ).fetchall()
    received = store.db.execute(
        "SELECT received_at FROM claims WHERE id = ?", [ids["B1"]]
    ).fetchone()[0]
    assert [e for e, _ in events] == ["pended", "resubmitted", "decided"]
    assert events[1:] == [("resubmitted", received), ("decided", received)]
    # Running it again changes nothing; verification does not hold the
    # superseded claim's serial against its resubmission.
    again = dedupe_claims(store, acme, now=NOW)
    assert (again.superseded, again.matches) == ([], [])
    from claimflow.verify.run import StoreLookup

    assert (
        StoreLookup(store, acme.key).serial_claimed_before("DR10000017", ids["B1"])
        is None
    )


def test_a_resubmission_with_the_same_fault_is_not_a_correction(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    october = (
        "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR10000017,2026-10-20\n"
    )
    november = (
        "B1,104233,D-CHI-01,INV-2026000418,10/02/2026,DRL-200,1,DR10000017,2026-11-10\n"
    )
    found = _run(store, acme, write, (SALES, october), (SALES, november))
    assert found["B1"][0] == ("duplicate", "serial_claimed_before", "A1")
    assert store.db.execute("SELECT count(*) FROM claim_links").fetchone()[0] == 0



def test_another_guests_booking_a_slip_away_is_another_stay(
    store: Store, costa: ResolvedClient, write: Callable[..., Path]
) -> None:
    """Trial 18: hotels number bookings in sequence; two guests arriving the
    same day at one hotel hold confirmations a digit apart (SP7000002 and
    SP7000004), and the second was closed as 'the same stay claimed by
    another account', never paid. Another account needs the same number;
    the same member a slip away is still the same stay."""
    first = "300112457;CAZ-MAD;MD7000002;02/10/2026;05/10/2026;20/10/2026;sí\n"
    later = (
        # another member, the next booking number, the same day: another guest
        "300999001;CAZ-MAD;MD7000004;02/10/2026;05/10/2026;10/11/2026;sí\n"
        # the same member, the number re-keyed with a slip: the same stay
        "300112457;CAZ-MAD;MD7000020;02/10/2026;05/10/2026;10/11/2026;sí\n"
        # another member, the very same number: the same stay by another account
        "300999002;CAZ-MAD;MD7000002;02/10/2026;05/10/2026;10/11/2026;sí\n"
    )
    for n, rows in enumerate((first, later)):
        ingest([write(f"s{n}.csv", STAYS + rows, encoding="cp1252")], costa, store)
    result = dedupe_claims(store, costa, now=NOW)
    who = dict(
        store.db.execute(
            "SELECT id, participant_id || ':' || json_extract(data, '$.confirmation_number') "
            "FROM claims"
        )
    )
    assert {(who[m.claim_id], m.decision, m.code.value) for m in result.matches} == {
        ("300112457:MD7000020", "duplicate", "duplicate_claim"),
        ("300999002:MD7000002", "duplicate", "claimed_by_other_account"),
    }
    outcome = {who[c]: o for c, o in store.db.execute("SELECT id, outcome FROM claims")}
    assert outcome["300999001:MD7000004"] == "accepted"


def test_the_fix_of_a_stay_pended_for_its_member_number_supersedes_it(
    store: Store, costa: ResolvedClient, write: Callable[..., Path]
) -> None:
    """Trial 18: a stay pended because its member number was missing, sent
    again with the number, was closed as 'the same stay claimed by another
    account' (no number is no other account), the pended claim never
    superseded, and the member told it was claimed before."""
    first = ";CAZ-MAD;MD4471902;02/10/2026;05/10/2026;20/10/2026;sí\n"
    fixed = "300112457;CAZ-MAD;MD4471902;02/10/2026;05/10/2026;10/11/2026;sí\n"
    for n, rows in enumerate((first, fixed)):
        ingest([write(f"s{n}.csv", STAYS + rows, encoding="cp1252")], costa, store)
    result = dedupe_claims(store, costa, now=NOW)
    assert result.matches == []
    assert len(result.superseded) == 1
    outcome = dict(
        store.db.execute("SELECT coalesce(participant_id, '-'), outcome FROM claims")
    )
    assert outcome == {"-": "superseded", "300112457": "accepted"}


def test_a_repeated_serial_is_quoted_to_the_participant_as_they_wrote_it(
    store: Store, acme: ResolvedClient, write: Callable[..., Path]
) -> None:
    """Trial 19 saw serials quoted folded ('RF21') in dedupe's lines; the
    participant's notice quotes the serial as they keyed it, whatever the
    match compared."""
    first = "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR00000017,2026-10-20\n"
    later = "B1,104876,D-IND-03,INV-30001,11/02/2026,DRL-200,1,DR00000017,2026-11-10\n"
    for n, rows in enumerate((first, later)):
        ingest([write(f"b{n}.csv", SALES + rows)], acme, store)
    result = dedupe_claims(store, acme, now=NOW)
    [match] = result.matches
    assert match.compared == "serial DR00000017"  # as keyed, not DR17 as matched
    assert match.value == "DR00000017"
    [item] = result.notice_items
    # (field, code, the value we read): the value is the participant's own
    assert [p[2] for p in item.problems] == ["DR00000017"]


def test_a_serial_keyed_differently_is_quoted_as_each_claim_wrote_it(
    tmp_path: Path, write: Callable[..., Path]
) -> None:
    """A new user saw ``(serial DR17)`` where the two claims read
    DR-00000017 and DR00000017: the match key is folded, the serials people
    read in dedupe's lines, the stored reason and the notice are as keyed."""
    db, acme = str(tmp_path / "x.db"), str(SAMPLES / "clients" / "acme-tools.yaml")
    first = "A1,104233,D-CHI-01,INV-2026000417,10/02/2026,DRL-200,1,DR00000017,2026-10-20\n"
    later = "B1,104876,D-IND-03,INV-30001,11/02/2026,DRL-200,1,DR-00000017,2026-11-10\n"
    for n, rows in enumerate((first, later)):
        run("ingest", str(write(f"b{n}.csv", SALES + rows)), "--client", acme, "--db", db)
    code, out, _ = run("dedupe", "claims", "--client", acme, "--db", db,
                       "--notices", str(tmp_path / "n"))  # fmt: skip
    assert code == 1
    assert out.splitlines()[-1:] == [
        "  B1 (b1.csv:row 2) duplicate of A1 (b0.csv:row 2): same serial number "
        "claimed again (serial DR-00000017 vs DR00000017)"
    ]
    with Store.open(db) as store:
        [message] = store.db.execute(
            "SELECT message FROM problems WHERE code = 'serial_claimed_before'"
        ).fetchone()
    assert message == (
        "same serial number claimed again: serial DR-00000017 vs DR00000017, "
        "as claim A1 (b0.csv:row 2)"
    )
    [notice] = (tmp_path / "n").glob("*.txt")
    assert "(we read: DR-00000017)" in notice.read_text(encoding="utf-8")
    assert "DR17" not in out + message + notice.read_text(encoding="utf-8")
