"""Replay: unchanged rules change nothing; rate and calendar changes show exactly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.award.run import award_claims
from claimflow.parse.participants import read_participants
from claimflow.replay import golden, replay, same_intake, same_sla
from tests.conftest import ROOT, SAMPLES
from tests.test_cli import run

CONFIG = SAMPLES / "clients/acme-tools.yaml"
OCTOBER = SAMPLES / "acme-tools/claims/october.csv"
# Processed Oct 28; accepted claims decided when their awards post on Nov 5.
PROCESSED = datetime(2026, 10, 28, 15, tzinfo=UTC)
AWARDED = datetime(2026, 11, 5, 20, tzinfo=UTC)


@pytest.fixture
def recorded(tmp_path: Path, acme: ResolvedClient) -> Store:
    store = Store.open(tmp_path / "c.db")
    ingest(
        [OCTOBER, SAMPLES / "acme-tools/claims/claims_printed.pdf"],
        acme,
        store,
        processed_at=PROCESSED,
    )
    with store.transaction():
        store.upsert_participants(
            list(read_participants(SAMPLES / "acme-tools/participants.csv", acme.key))
        )
    award_claims(store, acme, now=AWARDED)
    return store


def _variant(tmp_path: Path, change: object) -> ResolvedClient:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_client(path)


def test_unchanged_replay_has_no_differences(
    recorded: Store, acme: ResolvedClient
) -> None:
    result = replay(recorded, acme, now=AWARDED)
    assert (result.claims, result.changes, result.exit_code) == (12, [], 0)


def test_renamed_rule_and_reordered_file_replay_to_nothing(
    recorded: Store, acme: ResolvedClient, tmp_path: Path
) -> None:
    def rename_and_reorder(data: dict) -> None:  # type: ignore[type-arg]
        rules = data["award"]["rule_sets"][1]["rules"]
        rules[0]["id"] = "drill-renamed"
        rules.reverse()
        data["award"]["rule_sets"][1]["version"] = "2026.2b"
        data["award"]["rule_sets"].reverse()
        data["eligible_skus"] = list(reversed(data["eligible_skus"]))

    assert (
        replay(recorded, acme, rules=_variant(tmp_path, rename_and_reorder)).changes
        == []
    )


def test_rate_change_shows_exactly_the_affected_claims(
    recorded: Store, acme: ResolvedClient, tmp_path: Path
) -> None:
    def drill_35(data: dict) -> None:  # type: ignore[type-arg]
        data["award"]["rule_sets"][1]["rules"][0]["points"] = 35

    result = replay(recorded, acme, rules=_variant(tmp_path, drill_35), now=AWARDED)
    changed = {
        c.claim_id.split("-", 1)[1]: (c.points_from, c.points_to, c.lines)
        for c in result.changes
    }
    # Awarded drill lines: row 2 (2 drills) and page 1 of the printed PDF (1 drill,
    # doubled by the Q4 cordless promotion from Oct 15).
    assert changed == {
        "r2": (60, 70, ["drill: 60 -> 70"]),
        "p1": (80, 90, ["drill: 30 -> 35", "q4-cordless: 40 -> 45"]),
    }
    assert result.to_dict()["points_delta"] == 20
    assert dict(result.points_by_rule) == {"drill": 15, "q4-cordless": 5}
    assert result.exit_code == 1


def test_new_holiday_flips_sla_status(
    recorded: Store, acme: ResolvedClient, tmp_path: Path
) -> None:
    def closed_oct_30(data: dict) -> None:  # type: ignore[type-arg]
        data["calendar"]["closures"].append("2026-10-30")

    result = replay(
        recorded, acme, rules=_variant(tmp_path, closed_oct_30), now=AWARDED
    )
    flips = {
        c.claim_id.split("-", 1)[1]: (c.sla_from, c.sla_to) for c in result.changes
    }
    # Row 11 was received Fri Oct 23 and is due Nov 4 (Nov 3 is Election Day, an
    # Illinois holiday); decided Nov 5 it is one day late. Closing Oct 30 moves
    # its due date to Nov 5. Rows 2 and 3 (due Oct 29) stay late.
    assert flips == {"r11": ("breached", "on time")}
    for change in result.changes:
        assert change.outcome_from == change.outcome_to == ""


def test_golden_samples_replay_unchanged() -> None:
    assert golden(ROOT / "samples" / "golden") == {}


def test_replay_cli_is_a_deployment_gate(recorded: Store, tmp_path: Path) -> None:
    db = recorded.location
    recorded.close()
    code, out, _ = run(
        "replay", "--client", str(CONFIG), "--db", db, "--as-of", "2026-11-05T20:00Z"
    )
    assert (code, out) == (0, "acme-tools: 12 claims replayed, 0 changed, +0 points\n")
    variant = tmp_path / "v.yaml"
    variant.write_text(
        CONFIG.read_text(encoding="utf-8").replace(
            "- {id: drill, kind: per_unit, points: 30",
            "- {id: drill, kind: per_unit, points: 35",
        ),
        encoding="utf-8",
    )
    out_file = tmp_path / "changes.xlsx"
    code, out, _ = run(
        "replay",
        "--client",
        str(CONFIG),
        "--rules",
        str(variant),
        "--db",
        db,
        "--out",
        str(out_file),
        "--json",
        "--as-of",
        "2026-11-05T20:00Z",
    )
    assert code == 1
    assert json.loads(out)["points_delta"] == 20
    assert out_file.exists()
    code, out, _ = run("replay", "--golden", str(ROOT / "samples" / "golden"))
    assert (code, out) == (0, "golden cases unchanged\n")


def test_replay_includes_verification(tmp_path: Path, acme: ResolvedClient) -> None:
    from claimflow.verify.run import verify_claims
    from claimflow.verify.source import import_source

    store = Store.open(tmp_path / "v.db")
    ingest([OCTOBER], acme, store, processed_at=PROCESSED)
    ingest([SAMPLES / "acme-tools/verification/claims_november.csv"], acme, store)
    with store.transaction():
        for name in (
            "source/dealer_sales.csv",
            "verification/dealer_sales_november.csv",
        ):
            import_source(store, acme, SAMPLES / "acme-tools" / name, PROCESSED)
    verify_claims(store, acme, now=PROCESSED)
    # Review, duplicate and pended-awaiting-source outcomes replay as recorded.
    assert replay(store, acme).changes == []
    # The late export verifies the waiting claim: still nothing to report.
    with store.transaction():
        import_source(
            store,
            acme,
            SAMPLES / "acme-tools/verification/dealer_sales_late.csv",
            PROCESSED,
        )
    verify_claims(store, acme, now=PROCESSED)
    assert replay(store, acme).changes == []


def test_typed_numbers_replay_as_numbers_under_a_decimal_comma(
    tmp_path: Path, costa: ResolvedClient
) -> None:
    """JSON numbers were stored as text and re-read under the client's decimal
    comma (906 -> 93,125 points); Excel numeric cells likewise."""
    import openpyxl

    from claimflow.store import raw_from_json

    stay = {
        "Nº socio": "300112457", "Hotel": "CAZ-MAD", "Confirmación": "MD4471902",
        "Llegada": "02/10/2026", "Salida": "05/10/2026", "Moneda": "EUR",
        "Tarifa": "BAR", "Canal": "Directo", "Folio": "F-88120",
        "Recibido": "20/10/2026", "Folio adjunto": "sí",
    }  # fmt: skip
    portal = tmp_path / "portal.jsonl"
    portal.write_text(
        json.dumps(stay).rstrip("}") + ', "Importe habitación": 412.50}\n',
        encoding="utf-8",
    )
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*stay, "Importe habitación"])
    sheet.append([*stay.values(), 298.0 + 0.5])
    sheet["C2"] = "MD4471903"
    book.save(tmp_path / "desk.xlsx")
    store = Store.open(tmp_path / "c.db")
    ingest([portal, tmp_path / "desk.xlsx"], costa, store, processed_at=PROCESSED)
    headers = store.raw_headers()
    rows = store.db.execute(
        "SELECT raw, document_hash FROM claims ORDER BY rowid"
    ).fetchall()
    revenues = [
        raw_from_json(raw, headers, h).values["qualifying_revenue"] for raw, h in rows
    ]
    assert revenues == [Decimal("412.50"), Decimal("298.5")]
    result = replay(store, costa, now=AWARDED)
    assert (result.claims, result.changes, result.exit_code) == (2, [], 0)


def test_caps_carry_across_replay_chunks(
    recorded: Store,
    acme: ResolvedClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each 20,000-claim chunk started its caps from zero, so a cap that bit
    in the live run did not in the replay (a same-rules replay showed changes)."""
    import claimflow.replay as replay_module

    def small_cap(data: dict) -> None:  # type: ignore[type-arg]
        for rule_set in data["award"]["rule_sets"]:
            rule_set["caps"] = {"per_participant": {"period": "quarter", "points": 70}}

    capped = _variant(tmp_path, small_cap)
    live = replay(recorded, acme, rules=capped, now=AWARDED)
    monkeypatch.setattr(replay_module, "CHUNK", 1)
    chunked = replay(recorded, acme, rules=capped, now=AWARDED)
    assert live.changes, "the cap must bite for the test to mean anything"
    assert [c.to_dict() for c in chunked.changes] == [c.to_dict() for c in live.changes]


def test_dedupe_decisions_replay_as_recorded(
    tmp_path: Path, acme: ResolvedClient
) -> None:
    """`dedupe claims` and `dedupe apply` decisions were not replayed: a
    same-rules replay showed 'duplicate -> accepted' and +30 points."""
    from claimflow.dedupe.claims import dedupe_claims

    store = Store.open(tmp_path / "c.db")
    ingest([OCTOBER], acme, store, processed_at=PROCESSED)
    ingest(
        [SAMPLES / "acme-tools/verification/claims_november.csv"],
        acme,
        store,
        processed_at=AWARDED,
    )
    assert replay(store, acme, now=AWARDED).changes == []
    found = dedupe_claims(store, acme, now=AWARDED)
    assert any(m.decision == "duplicate" for m in found.matches)
    result = replay(store, acme, now=AWARDED)
    assert (result.changes, result.exit_code) == ([], 0)
    # a reviewer's "different" restores the claim, in the store and in replay
    reviews = [m for m in found.matches if m.decision == "review"]
    if reviews:
        with store.transaction():
            store.db.execute(
                "INSERT INTO dedupe_decisions (kind, a, b, decision, decided_by, decided_at) "
                "VALUES ('claim', ?, ?, 'same', 'ann', '2026-11-06')",
                sorted((reviews[0].claim_id, reviews[0].original)),
            )
            store.db.execute(
                "UPDATE claims SET outcome = 'duplicate' WHERE id = ?",
                [reviews[0].claim_id],
            )
        assert replay(store, acme, now=AWARDED).changes == []


def test_baseline_shows_the_rule_change_net_of_what_the_release_changes(
    recorded: Store,
    acme: ResolvedClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An upgrade tester replays new rules on a release that itself changes a
    claim: without --baseline the release's change is mixed into the rule
    change; with it, only the rule change shows."""
    import claimflow.replay as replay_module
    from claimflow.codes import Outcome
    from claimflow.models import Decision

    (other,) = recorded.db.execute(
        "SELECT claim_id FROM ledger WHERE entry_type = 'award' "
        "AND claim_id NOT LIKE '%-r2' AND claim_id NOT LIKE '%-p1' LIMIT 1"
    ).fetchone()
    real = replay_module.validate_chunk

    def release_that_pends_one(*args: object, **kw: object) -> list[object]:
        out = real(*args, **kw)  # type: ignore[arg-type]
        return [
            (c, Decision(claim_id=c.id, outcome=Outcome.PENDED, problems=d.problems))
            if c.id == other
            else (c, d)
            for c, d in out
        ]

    monkeypatch.setattr(replay_module, "validate_chunk", release_that_pends_one)

    def drill_35(data: dict) -> None:  # type: ignore[type-arg]
        data["award"]["rule_sets"][1]["rules"][0]["points"] = 35

    rules = _variant(tmp_path, drill_35)
    mixed = replay(recorded, acme, rules=rules, now=AWARDED)
    assert {c.claim_id for c in mixed.changes} == {
        other,
        *(c for c in _awarded(recorded) if c.endswith(("-r2", "-p1"))),
    }
    net = replay(recorded, acme, rules=rules, now=AWARDED, baseline=True)
    assert {
        c.claim_id.split("-", 1)[1]: (c.points_from, c.points_to) for c in net.changes
    } == {"r2": (60, 70), "p1": (80, 90)}
    assert net.to_dict()["points_delta"] == 20


def _awarded(store: Store) -> list[str]:
    return [
        cid
        for (cid,) in store.db.execute(
            "SELECT claim_id FROM ledger WHERE entry_type = 'award'"
        )
    ]


def test_baseline_needs_rules(recorded: Store) -> None:
    code, _, err = run(
        "replay", "--client", str(CONFIG), "--db", recorded.location, "--baseline"
    )
    assert code == 2 and "--baseline compares a rule change: give --rules" in err


def test_a_back_dated_member_change_learnt_later_is_no_replay_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in a new-user trial: a tier change imported after the awards,
    dated before them, made a same-rules replay report 2 changes (exit 1).
    Replay reads the member list as each award run knew it."""
    from claimflow.models import Participant

    text = CONFIG.read_text(encoding="utf-8").replace(
        "      rules:\n",
        "      rules:\n        - {id: status, kind: tier_bonus, percent: {gold: 50, silver: 10}}\n",
    )
    (tmp_path / "acme.yaml").write_text(text, encoding="utf-8")
    client = load_client(tmp_path / "acme.yaml")
    people = list(
        read_participants(SAMPLES / "acme-tools/participants.csv", client.key)
    )
    with Store.open(tmp_path / "c.db") as store:
        ingest([OCTOBER], client, store, processed_at=PROCESSED)
        with store.transaction():
            store.record_participants(people, PROCESSED.date(), "ann", at=PROCESSED)
        award_claims(store, client, now=AWARDED)
        later = AWARDED + (AWARDED - PROCESSED)
        demoted = [p.model_copy(update={"tier": "silver", "effective_from": date(2026, 10, 1)})
                   for p in people if p.id == "104233"]  # fmt: skip
        with store.transaction():
            store.record_participants(demoted, later.date(), "ann", at=later)
        assert replay(store, client, now=later).changes == []
        # Read as known now instead, the same replay would pay Maria less.
        monkeypatch.setattr(Participant, "known_at", lambda self, moment: self)
        assert replay(store, client, now=later).changes


def test_a_back_dated_award_reads_the_member_list_its_replay_reads(
    tmp_path: Path, costa: ResolvedClient
) -> None:
    """Trial 15 #4: members imported today, then `award --at` a past instant
    paid (found the member) and the same-rules replay, reading the list as
    known at that instant, took the points back. The run now reads that view
    too: the member was not known then, so the claim waits, not paid 0."""
    claims = tmp_path / "stays.csv"
    claims.write_text(
        "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
        "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
        "CA-901;300112457;José Núñez Peña;CAZ-MAD;MD4471999;02/10/2026;"
        "05/10/2026;400,00;EUR;BAR;Directo;F-88199;20/10/2026;sí\n",
        encoding="utf-8",
    )
    people = list(read_participants(SAMPLES / "costa-azul/participants.csv", "costa-azul"))
    today = datetime(2026, 12, 3, 19, tzinfo=UTC)
    back = datetime(2026, 11, 20, 13, tzinfo=UTC)
    with Store.open(tmp_path / "c.db") as store:
        ingest([claims], costa, store, processed_at=PROCESSED)
        with store.transaction():
            store.record_participants(people, today.date(), "ann", at=today)
        early = award_claims(store, costa, now=back)
        assert (early.computed, early.points) == (0, 0)
        assert [p.message for p in early.problems] == [
            # both at the Madrid desk (13:00 and 19:00 UTC), never UTC text
            # beside a desk time (trial 37: a +02:00 time and a UTC one to
            # the microsecond in one line)
            "participant 300112457: expected on the member list recorded by "
            "2026-11-20 14:00 CET (the run's instant), found first recorded "
            "at 2026-12-03 20:00 CET; award at that instant or later"
        ]
        assert store.db.execute("SELECT count(*) FROM ledger").fetchone()[0] == 0
        assert replay(store, costa, now=today).changes == []
        # 400.00 EUR: 40 brackets of 10 x 25 = 1,000; oro +50% = 500
        assert award_claims(store, costa, now=today).points == 1_000 + 500
        assert replay(store, costa, now=today).changes == []


def _drill_35(data: dict) -> None:  # type: ignore[type-arg]
    data["award"]["rule_sets"][1]["rules"][0]["points"] = 35


def _no_grinders(data: dict) -> None:  # type: ignore[type-arg]
    """Grinders no longer earn: out of the eligible list and the award section
    (which may name only eligible SKUs: a misspelt one would earn nothing)."""
    data["eligible_skus"].remove("GRN-115")
    del data["award"]["products"]["GRN-115"]
    for rule_set in data["award"]["rule_sets"]:
        for rule in rule_set["rules"]:
            skus = rule.get("scope", {}).get("skus", [])
            if "GRN-115" in skus:
                skus.remove("GRN-115")


@pytest.mark.parametrize(
    ("change", "intake", "sla"),
    [
        (_drill_35, True, True),
        (lambda d: d["notices"].update(sender="Desk"), True, True),
        (lambda d: d["calendar"]["closures"].append("2026-10-30"), True, False),
        (lambda d: d["sla"].update(turnaround_days=5), True, False),
        (lambda d: d.update(timezone="America/New_York"), False, False),
        (_no_grinders, False, True),
        (lambda d: d.update(claim_window_days=30), False, True),
        (lambda d: d["formats"].update(invoice_number=r"^INV-\d+$"), False, True),
        (lambda d: d.update(verification={"required": True}), False, True),
    ],
)
def test_what_a_changed_file_makes_replay_do_again(
    acme: ResolvedClient, tmp_path: Path, change: object, intake: bool, sla: bool
) -> None:
    """Only award, SLA, calendar and notice settings leave decisions alone;
    only the zone, calendar and SLA terms move SLA figures."""
    variant = _variant(tmp_path, change)
    assert (same_intake(acme, variant), same_sla(acme, variant)) == (intake, sla)
    assert (same_intake(acme, acme), same_sla(acme, acme)) == (True, True)


def _counting_validation(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import claimflow.replay as replay_module

    validated: list[int] = []
    real = replay_module.validate_chunk

    def counting(raws: list[object], *args: object, **kw: object) -> object:
        validated.append(len(raws))
        return real(raws, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(replay_module, "validate_chunk", counting)
    return validated


def test_a_baseline_of_an_award_change_validates_each_claim_once(
    recorded: Store,
    acme: ResolvedClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    validated = _counting_validation(monkeypatch)
    net = replay(
        recorded, acme, rules=_variant(tmp_path, _drill_35), now=AWARDED, baseline=True
    )
    assert sum(validated) == 12
    assert {
        c.claim_id.split("-", 1)[1]: (c.points_from, c.points_to) for c in net.changes
    } == {"r2": (60, 70), "p1": (80, 90)}


def test_a_changed_intake_rule_is_validated_again_and_shows(
    recorded: Store,
    acme: ResolvedClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    validated = _counting_validation(monkeypatch)
    rules = _variant(tmp_path, lambda d: (_no_grinders(d), _drill_35(d)))
    net = replay(recorded, acme, rules=rules, now=AWARDED, baseline=True)
    assert sum(validated) == 24  # under the new file, then under the recorded one
    flat = replay(recorded, acme, rules=rules, now=AWARDED)
    for result in (net, flat):
        by_claim = {
            c.claim_id.split("-", 1)[1]: (c.outcome_from, c.outcome_to, c.points_to)
            for c in result.changes
        }
        # Rows 5 and 9 and page 2 claim grinders; the drill lines pay more.
        assert by_claim == {
            "r2": ("accepted", "accepted", 70),
            "p1": ("accepted", "accepted", 90),
            "r5": ("pended", "rejected", None),
            "r9": ("pended", "rejected", None),
            "p2": ("pended", "rejected", None),
        }


def test_sla_figures_are_derived_only_when_the_calendar_or_terms_change(
    recorded: Store,
    acme: ResolvedClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from claimflow.sla import metrics

    derived: list[str] = []
    real = metrics.claim_facts

    def counting(store: Store, client: ResolvedClient, *args: object) -> object:
        derived.append(client.source_path)
        return real(store, client, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(metrics, "claim_facts", counting)
    assert replay(recorded, acme, rules=_variant(tmp_path, _drill_35), now=AWARDED)
    assert derived == []
    closed = _variant(
        tmp_path, lambda d: d["calendar"]["closures"].append("2026-10-30")
    )
    result = replay(recorded, acme, rules=closed, now=AWARDED)
    assert len(derived) == 2
    assert [(c.sla_from, c.sla_to) for c in result.changes] == [("breached", "on time")]


def test_a_run_that_holds_and_posts_at_a_desk_offset_replays_unchanged(
    tmp_path: Path,
) -> None:
    """Postings are written in UTC, the run's holds with its own offset
    (+07:00): replay still meets them as one run (one instant)."""
    from datetime import timedelta, timezone

    text = CONFIG.read_text(encoding="utf-8")
    spiff = text.replace(
        "award:\n",
        "award:\n  reporting_threshold: {amount: 0.01, point_value: 0.01}\n",
        1,
    )
    (tmp_path / "acme.yaml").write_text(spiff, encoding="utf-8")
    client = load_client(tmp_path / "acme.yaml")
    store = Store.open(tmp_path / "c.db")
    ingest([OCTOBER], client, store, processed_at=PROCESSED)
    people = list(
        read_participants(SAMPLES / "acme-tools/participants.csv", client.key)
    )
    with_form = [
        p.model_copy(update={"tax_form_on": date(2026, 1, 1)}) if i % 2 else p
        for i, p in enumerate(people)
    ]
    with store.transaction():
        store.upsert_participants(with_form)
    now = AWARDED.astimezone(timezone(timedelta(hours=7)))
    run = award_claims(store, client, now=now)
    assert run.posted and run.problems  # the run both posts and holds
    result = replay(store, client, now=now)
    assert (result.changes, result.exit_code) == ([], 0)


def test_a_batch_read_in_its_own_number_locale_replays_in_it(tmp_path: Path) -> None:
    """Trial 17: a Swiss client's German forms write 1'490.00 and its French
    ones 1 490,00. With one client file, the French batch could only be read
    through a second client file under the same key, and replay "under the
    same rules" then re-read it in the German locale: 4 paid claims pended,
    -899 points. `ingest --number-locale` reads a batch in its own locale,
    the batch keeps it, and replay reads it in it again."""
    swiss = tmp_path / "swiss.yaml"
    swiss.write_text(
        CONFIG.read_text(encoding="utf-8").replace(
            "locale: en_US", "locale: en_US\nnumber_locale: de_CH", 1
        ),
        encoding="utf-8",
    )
    header = "Claim ID,Rep #,Invoice No,Invoice Date,Product Code,Qty,Price,Amount,Serials,Received\n"
    serials = " ".join(f"DR{10000100 + n}" for n in range(10))
    german = tmp_path / "deutsch.csv"
    german.write_text(
        header + f"D-1,104233,INV-1001,10/02/2026,DRL-200,10,149.00,1'490.00,{serials},2026-10-20\n",
        encoding="utf-8",
    )
    serials = " ".join(f"DR{10000200 + n}" for n in range(10))
    french = tmp_path / "francais.csv"
    french.write_text(
        header
        + f"F-1,104234,INV-2001,10/03/2026,DRL-200,10,\"149,00\",\"1\u202f490,00\",{serials},2026-10-21\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "swiss.db")
    # read as the client's (de_CH), the French amounts are refused, not misread
    code, out, _ = run("check", str(french), "--client", str(swiss), "--json")
    assert json.loads(out)["reasons"] == {"invalid_number": 2}
    for path, extra in ((german, []), (french, ["--number-locale", "fr_FR"])):
        code, out, _ = run("ingest", str(path), "--client", str(swiss), "--db", db, "--json", *extra)
        assert (code, json.loads(out)["outcomes"]["accepted"]) == (0, 1), out
    with Store.open(db) as store:
        totals = {
            ref: Decimal(total)
            for ref, total in store.db.execute(
                "SELECT json_extract(data, '$.claim_ref'), "
                "json_extract(data, '$.lines[0].line_total') FROM claims"
            )
        }
        locales = list(store.db.execute("SELECT id, number_locale FROM batches ORDER BY id"))
    assert totals == {"D-1": Decimal("1490.00"), "F-1": Decimal("1490.00")}
    assert [tuple(r) for r in locales] == [(1, None), (2, "fr_FR")]
    code, out, _ = run("replay", "--client", str(swiss), "--db", db)
    assert (code, out) == (0, "acme-tools: 2 claims replayed, 0 changed, +0 points\n")
    code, _, err = run("ingest", str(french), "--client", str(swiss), "--db", db, "--number-locale", "xx_YY")
    assert code == 2 and "unknown locale 'xx_YY'" in err
