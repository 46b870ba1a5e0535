"""Every command's ``--json`` output is strict JSON, with the values users rely on.

Python's ``json`` writes ``NaN`` and ``Infinity``, which JSON forbids: ``jq``,
JavaScript and most other parsers refuse the whole document (``dedupe
participants`` once printed ``NaN`` for a score missing on one side). Here each
output is parsed with those constants refused, and no leaf may be the text of a
missing value (``"<NA>"``, ``"NaT"``, ``"nan"``).

One store is built per module by running the sample flow of ``make demo``
through the CLI (ingest, dedupe claims, participants import, source import,
award, for both sample clients), then the November verification stories of
``samples/*/verification`` (a serial claimed again, a stay claimed by another
account, discrepancies against the source records). The commands that write
run in the fixture, in that order; the read-only ones run in their own test.

A command given ``--json`` later must get a case here: the module walks the
CLI's commands and fails on one with ``--json`` that no test covers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import click
import numpy as np
import pandas as pd
import pytest

# The commands live in these modules; importing them registers them on `main`.
import claimflow
import claimflow.cli_awards
import claimflow.cli_dedupe
import claimflow.cli_partners
import claimflow.cli_sla
import claimflow.cli_verify  # noqa: F401
from claimflow.cli import main, strict_json
from tests.conftest import SAMPLES
from tests.test_cli import run

ACME = str(SAMPLES / "clients/acme-tools.yaml")
COSTA = str(SAMPLES / "clients/costa-azul.yaml")
CLIENTS = {"acme-tools": ACME, "costa-azul": COSTA}
#: Records without a received time get this one (claim windows never drift).
RECEIVED = "2026-10-28"
#: The queue's and replay's "now".
NOW = "2026-11-12"
#: What a missing value must never be written as.
MISSING_AS_TEXT = {"NaN", "nan", "-nan", "Infinity", "-Infinity", "inf", "<NA>", "NaT"}

# Missing e-mails, phones, birth dates, addresses on one side: their scores
# are NaN in the pairs frame, and must come out as null.
PEOPLE = """\
participant_id,first_name,last_name,date_of_birth,email,phone,address_line1,city,postcode
P1,William,Turner,1980-04-07,will.turner@example.com,+1 312 555 0101,12 Oak Street,Chicago,60601
P2,Catherine,Dupont,1975-11-23,c.dupont@example.fr,+33 1 44 55 66 77,3 rue des Lilas,Paris,75011
P4,Siti,Rahayu,1990-09-30,siti.r@mail.example,+62 812 3456 7890,Jalan Merdeka 8,Bandung,40111
P5,Michael,Brown,1985-06-02,mbrown@example.com,+1 212 555 0199,400 Park Avenue,New York,10022
D1,Wiliam,Turner,1980-04-07,,,12 Oak Street,Chicago,60601
D2,Dupont,Catherine,1975-11-23,,,,Paris,75011
D5,S.,Rahayu,,SITI.R+promo@MAIL.EXAMPLE,,,,
D9,Michael,Brown,1985-06-02,,,1 Main Street,,02108
"""


def _refuse(constant: str) -> NoReturn:
    raise ValueError(f"not strict JSON: {constant}")


def _leaves(data: Any) -> Iterator[Any]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _leaves(value)
    elif isinstance(data, list):
        for value in data:
            yield from _leaves(value)
    else:
        yield data


def strict(out: str) -> Any:
    """`out` parsed as strict JSON: no NaN or infinities, no missing value as text."""
    data = json.loads(out, parse_constant=_refuse)
    assert isinstance(data, dict | list), out[:200]
    texts = {v for v in _leaves(data) if isinstance(v, str)}
    assert not texts & MISSING_AS_TEXT, texts & MISSING_AS_TEXT
    return data


def json_commands(group: click.Group = main, prefix: str = "") -> set[str]:
    """Every command (and group) of `group` with a --json option, by its full name."""
    found = set()
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if any(
            "--json" in p.opts for p in command.params if isinstance(p, click.Option)
        ):
            found.add(path)
        if isinstance(command, click.Group):
            found |= json_commands(command, f"{path} ")
    return found


#: The command each test below covers.
COVERED: dict[str, str] = {}


def covers(command: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(test: Callable[..., None]) -> Callable[..., None]:
        COVERED[command] = test.__name__
        return test

    return register


@dataclass
class Flow:
    """The module's store and what the commands that wrote it printed."""

    folder: Path
    db: str
    #: "ingest acme-tools", "award costa-azul", ... -> (exit code, stdout)
    runs: dict[str, tuple[int, str]] = field(default_factory=dict)

    def json(self, step: str, code: int) -> Any:
        got, out = self.runs[step]
        assert got == code, (step, got, out[:500])
        return strict(out)


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Flow:
    folder = tmp_path_factory.mktemp("json")
    done = Flow(folder, str(folder / "claims.db"))
    store = ("--db", done.db)
    notices = ("--notices", str(folder / "notices"))

    def step(name: str, *args: str) -> None:
        code, out, _ = run(*args)
        done.runs[name] = (code, out)

    for key, config in CLIENTS.items():
        client = ("--client", config)
        claims = sorted(str(p) for p in (SAMPLES / key / "claims").iterdir())
        sources = sorted(str(p) for p in (SAMPLES / key / "source").iterdir())
        step(
            f"ingest {key}",
            *("ingest", *claims, *client, *store, *notices),
            *("--operator", "test", "--at", RECEIVED, "--json"),
        )
        step(f"dedupe claims {key}", "dedupe", "claims", *client, *store, "--json")
        code, out, _ = run(
            "participants",
            "import",
            str(SAMPLES / key / "participants.csv"),
            *client,
            *store,
        )
        assert code == 0, out
        step(f"source {key}", "source", "import", *sources, *client, *store, "--json")
        step(f"award {key}", "award", *client, *store, "--json")
    # November: AC-3005 claims an October serial again, CA-704 an October stay
    # from another account; AC-3002..3004 disagree with the dealers' records.
    verification = SAMPLES / "acme-tools/verification"
    acme = ("--client", ACME)
    step(
        "ingest november",
        *("ingest", str(verification / "claims_november.csv"), *acme, *store),
        *("--at", RECEIVED, "--json"),
    )
    step(
        "dedupe claims november", "dedupe", "claims", *acme, *store, *notices, "--json"
    )
    step(
        "source november",
        *("source", "import", str(verification / "dealer_sales_november.csv")),
        *(*acme, *store, *notices, "--json"),
    )
    costa = ("--client", COSTA)
    step(
        "ingest noviembre",
        *("ingest", str(SAMPLES / "costa-azul/verification/retro_noviembre.csv")),
        *(*costa, *store, "--at", RECEIVED, "--json"),
    )
    step("dedupe claims noviembre", "dedupe", "claims", *costa, *store, "--json")
    step("verify", "verify", *acme, *store, "--json")  # AC-3001: the late export
    return done


def test_every_command_with_json_is_covered() -> None:
    commands = json_commands()
    assert "check" in commands and "award explain" in commands  # the walk works
    missing = sorted(commands - set(COVERED))
    assert not missing, f"--json commands with no case in {__file__}: {missing}"
    gone = sorted(set(COVERED) - commands)
    assert not gone, f"cases for commands without --json: {gone}"


@covers("check")
def test_check(flow: Flow) -> None:
    files = sorted(str(p) for p in (SAMPLES / "acme-tools/claims").iterdir())
    code, out, _ = run("check", *files, "--client", ACME, "--at", RECEIVED, "--json")
    assert code == 1  # some claims pended or rejected
    data = strict(out)
    assert data["records"] == 16 and sum(data["outcomes"].values()) == 16
    assert data["batch_id"] is None  # nothing stored
    assert data["reasons"]["duplicate_serial_in_batch"] == 1
    assert {f["name"] for f in data["files"]} == set(files)
    assert all(p["source"]["file"] in files for p in data["problems"])


@covers("ingest")
def test_ingest(flow: Flow) -> None:
    acme = flow.json("ingest acme-tools", 1)
    assert (acme["client"], acme["batch_id"], acme["records"]) == ("acme-tools", 1, 16)
    assert acme["outcomes"] == {
        "accepted": 7,
        "pended": 6,
        "rejected": 2,
        "duplicate": 1,
        "review": 0,
    }
    assert [f["status"] for f in acme["files"]] == ["stored"] * 4
    costa = flow.json("ingest costa-azul", 1)
    assert (costa["batch_id"], costa["records"], costa["outcomes"]["accepted"]) == (
        2,
        10,
        2,
    )
    assert costa["problems"][0]["source"]["field"] == "Canal"  # the file's own header
    assert flow.json("ingest november", 0)["records"] == 7


@covers("dedupe claims")
def test_dedupe_claims(flow: Flow) -> None:
    first = flow.json("dedupe claims acme-tools", 0)  # nothing earlier to repeat
    assert (first["checked"], first["duplicates"], first["matches"]) == (13, 0, [])
    data = flow.json("dedupe claims november", 1)
    assert (data["client"], data["duplicates"], data["to_review"]) == (
        "acme-tools",
        1,
        0,
    )
    # the serial, and the third unit of AC-1001's 2-unit invoice line (trial 35)
    match, line = data["matches"]
    assert (line["code"], line["decision"]) == ("possible_duplicate", "review")
    assert line["compared"].endswith("SKU DRL-200, quantity 1 vs 2")
    assert match["code"] == "serial_claimed_before" and match["value"] == "DR10000017"
    assert (match["duplicate_of"], match["score"]) == ("7b0be037608e-r2", 1.0)
    assert match["source"].endswith("claims_november.csv:row 6")
    costa = flow.json("dedupe claims noviembre", 1)
    assert {m["code"] for m in costa["matches"]} == {"claimed_by_other_account"}
    assert costa["duplicates"] == 1


@covers("source")
def test_source_import(flow: Flow) -> None:
    for key, verified in (("acme-tools", 7), ("costa-azul", 2)):
        data = flow.json(f"source {key}", 0)
        assert (data["client"], data["results"]) == (key, {"verified": verified})
    # exit 1 as verify exits: its re-check found discrepancies (it exited 0)
    data = flow.json("source november", 1)
    assert data["results"] == {
        "not_found": 1,
        "discrepancy": 3,
        "ambiguous": 1,
        "verified": 1,
    }
    checks = [c for d in data["details"] for c in d["checks"] if not c["ok"]]
    # AC-3002: $179.00 claimed, $159.00 invoiced (decimals as their text)
    assert {"field": "line_total", "claimed": "179.00", "source": "159.00"}.items() <= (
        checks[0].items()
    )
    assert all(isinstance(i, int) for d in data["details"] for i in d["source_ids"])


@covers("verify")
def test_verify(flow: Flow) -> None:
    data = flow.json("verify", 1)  # AC-3001 waits for Midwest's late export
    assert (data["results"], data["outcomes"]) == ({"not_found": 1}, {"pended": 1})
    (detail,) = data["details"]
    assert detail["claim_id"] == "0e022c9640c7-r2" and detail["source_ids"] == []
    assert detail["problems"][0].startswith("source_not_found:")


@covers("award")
def test_award(flow: Flow) -> None:
    for key, computed, points in (("acme-tools", 7, 290), ("costa-azul", 2, 2026)):
        data = flow.json(f"award {key}", 0)
        assert (data["client"], data["preview"]) == (key, False)
        assert (data["computed"], data["posted"], data["points"]) == (
            computed,
            computed,
            points,
        )
        assert sum(a["points"] for a in data["awards"]) == points
        assert all(
            sum(line["points"] for line in a["lines"]) == a["points"]
            for a in data["awards"]
        )


@covers("award explain")
def test_award_explain(flow: Flow) -> None:
    award = flow.json("award acme-tools", 0)["awards"][0]
    code, out, _ = run("award", "explain", award["claim_id"], "--db", flow.db, "--json")
    assert code == 0
    data = strict(out)
    assert data == award  # the award as posted
    assert (data["claim_id"], data["points"], data["currency"]) == (
        "7b0be037608e-r2",
        60,
        "USD",
    )
    assert data["lines"][0]["note"] == "2 x DRL-200 at 30 points each"


@covers("show")
def test_show(flow: Flow) -> None:
    code, out, _ = run("show", "AC-1001", "--db", flow.db, "--json")
    assert code == 0
    data = strict(out)
    assert data["claim"]["reference"] == "AC-1001"
    assert data["claim"]["id"] == "7b0be037608e-r2"
    assert data["received"]["values"]["Invoice No"] == "INV-20417"
    assert [p["entry_type"] for p in data["postings"]] == ["award"]


@covers("ledger balance")
def test_ledger_balance(flow: Flow) -> None:
    awards = flow.json("award acme-tools", 0)["awards"]
    participant = awards[0]["participant_id"]
    code, out, _ = run(
        "ledger", "balance", participant, "--client", ACME, "--db", flow.db, "--json"
    )
    assert code == 0
    data = strict(out)
    expected = sum(a["points"] for a in awards if a["participant_id"] == participant)
    assert (data["participant_id"], data["total"]) == (participant, expected)
    assert data["available"] + data["pending"] == data["total"] == 60


@covers("queue")
def test_queue(flow: Flow) -> None:
    code, out, _ = run(
        *("queue", "--client", ACME, "--client", COSTA, "--db", flow.db),
        *("--as-of", NOW, "--json"),
    )
    assert code == 0
    rows = strict(out)
    assert isinstance(rows, list) and rows
    assert set(rows[0]) == {
        "client",
        "claim",
        "claim_id",
        "received",
        "due_date",
        "remaining_hours",
        "at_risk",
        "breached",
        "breaches_anyway",
    }
    assert {r["client"] for r in rows} == set(CLIENTS)
    hours = [r["remaining_hours"] for r in rows]
    assert hours == sorted(hours)  # most urgent first
    assert "0e022c9640c7-r2" in {r["claim_id"] for r in rows}  # AC-3001, pended
    assert {r["claim"] for r in rows if r["claim_id"] == "0e022c9640c7-r2"} == {
        "AC-3001 (claims_november.csv:row 2)"
    }


@covers("replay")
def test_replay(flow: Flow) -> None:
    # A new rule file paying 40 points a drill instead of 30: exit 1, the
    # changes with the lines behind them.
    rules = flow.folder / "acme-2027.yaml"
    text = Path(ACME).read_text(encoding="utf-8")
    old = "{id: drill, kind: per_unit, points: 30,"
    assert old in text
    rules.write_text(text.replace(old, old.replace("30", "40")), encoding="utf-8")
    code, out, _ = run(
        *("replay", "--client", ACME, "--rules", str(rules), "--batch", "1"),
        *("--db", flow.db, "--as-of", NOW, "--json"),
    )
    assert code == 1
    data = strict(out)
    assert (data["client"], data["claims"], data["changed"]) == ("acme-tools", 16, 3)
    assert data["points_by_rule"]["drill"] == 40
    assert data["points_delta"] == sum(c["delta"] for c in data["changes"]) > 0
    for change in data["changes"]:
        assert change["points_to"] - change["points_from"] == change["delta"]
    assert "drill: 30 -> 40" in data["changes"][0]["lines"]
    # The golden cases: the samples as reviewed, no difference.
    code, out, _ = run("replay", "--golden", str(SAMPLES / "golden"), "--json")
    assert (code, strict(out)) == (0, {})


@covers("dedupe participants")
def test_dedupe_participants(flow: Flow) -> None:
    people = flow.folder / "people.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    code, out, _ = run("dedupe", "participants", str(people), "--json", "--pairs")
    assert code == 1  # duplicates and a pair to review
    data = strict(out)
    assert (data["records"], data["thresholds"]) == (
        8,
        {"duplicate": 0.9, "review": 0.5},
    )
    pairs = {(p["a"], p["b"]): p for p in data["pairs"]}
    assert {k: p["decision"] for k, p in pairs.items()} == {
        ("P1", "D1"): "duplicate",
        ("P2", "D2"): "duplicate",
        ("P4", "D5"): "duplicate",
        ("P5", "D9"): "review",
    }
    # what the NaN was: a score with nothing to compare on one side
    email = pairs[("P1", "D1")]
    assert (email["email_score"], email["email_level"], email["email_weight"]) == (
        None,
        "missing",
        0.0,
    )
    assert pairs[("P4", "D5")]["dob_score"] is None
    scores = [v for p in data["pairs"] for k, v in p.items() if k.endswith("_score")]
    assert None in scores and all(s is None or 0 <= s <= 1 for s in scores)
    assert all(0 <= p["probability"] <= 1 for p in data["pairs"])
    assert {"original": "P1", "participant_ids": ["P1", "D1"]} in data["clusters"]
    assert data["weights"]["email"]["exact"] > 0


@covers("dedupe apply")
def test_dedupe_apply(flow: Flow) -> None:
    people, review = flow.folder / "people-apply.csv", flow.folder / "review.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    code, _, _ = run("dedupe", "participants", str(people), "--review-out", str(review))
    assert code == 1
    with review.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # the duplicates found are in the file too, and may stay unmarked
    assert [(r["a"], r["b"]) for r in rows if r["found"] == "review"] == [("P5", "D9")]
    for row in rows:
        if row["found"] == "review":
            row["decision"] = "different"  # two people after all
    with review.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out, _ = run(
        "dedupe", "apply", str(review), "--db", flow.db, "--operator", "ann", "--json"
    )
    assert code == 0
    assert strict(out) == {"decisions": 1, "duplicates": 0, "restored": 0}


@covers("entry compare")
def test_entry_compare(flow: Flow) -> None:
    folder = SAMPLES / "acme-tools/double-entry"
    ana, ben = str(folder / "keying_ana.csv"), str(folder / "keying_ben.csv")
    code, out, _ = run("entry", "compare", ana, ben, "--client", ACME, "--json")
    assert code == 1  # the keyings differ
    data = strict(out)
    assert isinstance(data, list)
    assert set(data[0]) == {
        "document",
        "key",
        "line",
        "field",
        "first",
        "second",
        "slip",
    }
    planted = json.loads((folder / "planted.json").read_text(encoding="utf-8"))
    assert sorted((d["key"], d["slip"]) for d in data) == sorted(
        (p["claim"], p["slip"]) for p in planted
    )
    swap = next(d for d in data if d["key"] == "DE-005")
    assert (swap["field"], swap["first"], swap["second"]) == (
        "invoice_date",
        "10/06/2026",
        "06/10/2026",
    )


@covers("partners transfer")
def test_partners_transfer(tmp_path: Path) -> None:
    from claimflow import Store, load_client
    from tests.accounts.helpers import fund

    db = str(tmp_path / "partners.db")
    with Store.open(db) as store:
        fund(store, load_client(COSTA), "300112457", 60_000)
    code, out, _ = run(
        *("partners", "transfer", "300112457", "60000", "--partner", "vuelaclub"),
        *("--member-number", "VC10000001", "--reference", "CAZ-VC-0001"),
        *("--client", COSTA, "--db", db, "--json"),
    )
    assert code == 0
    data = strict(out)
    # 60,000 / 2.5 = 24,000 miles + one 60,000-point block's 5,000
    assert (data["base_miles"], data["bonus_miles"], data["miles"]) == (
        24_000,
        5_000,
        29_000,
    )


@covers("partners reconcile")
def test_partners_reconcile(tmp_path: Path) -> None:
    from claimflow import Store, load_client
    from tests.accounts.helpers import sample_transfers

    db = str(tmp_path / "partners.db")
    with Store.open(db) as store:
        sample_transfers(store, load_client(COSTA))
    statement = str(SAMPLES / "costa-azul/partners/vuelaclub_noviembre.csv")
    code, out, _ = run(
        *("partners", "reconcile", statement, "--partner", "vuelaclub"),
        *("--client", COSTA, "--db", db, "--json"),
    )
    assert code == 1  # the statement's planted faults
    data = strict(out)
    assert [f["code"] for f in data["findings"]] == [
        "wrong_ratio",
        "duplicate_credit",
        "unknown_member",
        "credit_without_transfer",
        "missing_credit",
    ]
    assert data["matches"][3]["transfer_id"] == 4  # the keying slip


@covers("partners discrepancies")
@covers("partners close")
def test_partners_discrepancies_and_close(tmp_path: Path) -> None:
    from claimflow import Store, load_client
    from claimflow.accounts.reconcile import reconcile_statement
    from tests.accounts.helpers import sample_transfers

    db = str(tmp_path / "partners.db")
    statement = SAMPLES / "costa-azul/partners/vuelaclub_noviembre.csv"
    with Store.open(db) as store:
        client = load_client(COSTA)
        sample_transfers(store, client)
        at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        reconcile_statement(store, client, "vuelaclub", statement, "ana", at)
    code, out, _ = run(
        *("partners", "close", "5", "--transfer", "5"),
        *("--client", COSTA, "--db", db, "--json"),
    )
    assert code == 0
    closed = strict(out)
    assert (closed["status"], closed["settled_by"]) == ("closed", "transfer:5")
    code, out, _ = run(
        *("partners", "discrepancies", "--state", "open"),
        *("--client", COSTA, "--db", db, "--json"),
    )
    assert code == 0
    assert [d["code"] for d in strict(out)] == [
        "wrong_ratio",
        "duplicate_credit",
        "unknown_member",
        "credit_without_transfer",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("nan"), "null"),
        (float("inf"), "null"),
        (float("-inf"), "null"),
        (np.float64("nan"), "null"),
        (np.float32("nan"), "null"),
        (np.float64(0.25), "0.25"),
        (np.int64(7), "7"),
        (np.bool_(True), "true"),
        (Decimal("1.50"), '"1.50"'),
        (date(2026, 10, 2), '"2026-10-02"'),
        (pd.NA, "null"),
        (pd.NaT, "null"),
        (np.datetime64("NaT"), "null"),
        (None, "null"),
        ("NaN", '"NaN"'),  # a text stays text
        (
            {
                "score": float("nan"),
                "pairs": [(1, np.float64("inf")), [pd.NA, {"x": 2.5}]],
            },
            '{"score": null, "pairs": [[1, null], [null, {"x": 2.5}]]}',
        ),
        (
            {"n": np.int64(3), "on": date(2026, 1, 31), "d": [Decimal("-0.5")]},
            '{"n": 3, "on": "2026-01-31", "d": ["-0.5"]}',
        ),
    ],
    ids=repr,
)
def test_strict_json(value: object, expected: str) -> None:
    text = strict_json(value, indent=None)
    assert text == expected
    json.loads(text, parse_constant=_refuse)


def test_strict_json_indents_like_the_cli() -> None:
    assert strict_json({"a": [1]}) == '{\n  "a": [\n    1\n  ]\n}'


@covers("participants merge")
@covers("participants unmerge")
@covers("cases open")
@covers("ledger adjust")
@covers("ledger approve")
@covers("ledger adjustments")
@covers("cases respond")
@covers("cases escalate")
@covers("cases assign")
@covers("cases link")
@covers("cases close")
@covers("cases list")
@covers("cases report")
def test_member_accounts(tmp_path: Path) -> None:
    db = str(tmp_path / "accounts.db")
    base = ("--client", ACME, "--db", db)
    members = str(SAMPLES / "acme-tools/participants.csv")
    assert run("participants", "import", members, *base)[0] == 0
    reviewed = tmp_path / "reviewed.csv"
    reviewed.write_text("kind,a,b,decision\nparticipant,104233,104876,same\n")
    assert run("dedupe", "apply", str(reviewed), "--db", db)[0] == 0

    def ok(*args: str) -> Any:
        code, out, _ = run(*args, *base, "--json")
        assert code == 0, out
        return strict(out)

    asked = ok("ledger", "adjust", "104876", "3000", "--reason", "goodwill",
               "--note", "n", "--operator", "ann")
    assert (asked["status"], asked["cost"], asked["posting_id"]) == ("pending", "37.50", None)
    done = ok("ledger", "approve", str(asked["id"]), "--operator", "sam")
    assert (done["status"], done["decided_by"]) == ("posted", "sam")
    assert [a["status"] for a in ok("ledger", "adjustments")] == ["posted"]
    merged = ok("participants", "merge", "104233", "104876", "--operator", "rita")
    assert (merged["points"], merged["lots"], merged["action"]) == (3000, 1, "merge")
    undone = ok("participants", "unmerge", "104876", "--operator", "rita")
    assert (undone["points"], undone["action"]) == (3000, "unmerge")
    opened = ok("cases", "open", "104233", "--type", "complaint", "--owner", "ann",
                "--at", "2026-12-01 09:00")
    assert (opened["id"], opened["owner"], opened["closed_at"]) == (1, "ann", None)
    # 09:00 at the desk (America/Chicago, UTC-6 in December) is 15:00 UTC
    assert opened["opened_at"] == "2026-12-01T15:00:00+00:00"
    at = ("--at", "2026-12-01 10:00")
    assert len(ok("cases", "respond", "1", *at)["contacts"]) == 1
    assert ok("cases", "escalate", "1", "L2", *at)["level"] == "L2"
    assert ok("cases", "assign", "1", "sam", *at)["owner"] == "sam"
    assert ok("cases", "link", "1", "posting:1", *at)["links"] == ["posting:1"]
    assert ok("cases", "close", "1", "credited", *at)["resolution"] == "credited"
    (case,) = ok("cases", "list")
    assert (case["id"], case["closed_at"]) == (1, "2026-12-01T16:00:00+00:00")
    report = ok("cases", "report", "--from", "2026-12-01", "--to", "2026-12-31")
    # posting 1: 3,000 points x USD 0.0125
    assert report["total"]["escalation_cost"] == "37.50"
    assert report["by_owner"][0]["key"] == "sam"


@covers("store copy")
def test_store_copy(flow: Flow) -> None:
    target = str(flow.folder / "copy.db")
    code, out, _ = run("store", "copy", flow.db, target, "--json")
    assert code == 0
    data = strict(out)
    assert set(data) == {"rows", "checks"}
    assert data["checks"]["claims"] == data["rows"]["claims"] > 0
    assert data["checks"]["postings"] == data["rows"]["ledger"]
def _copy(flow: Flow, tmp_path: Path) -> str:
    """A copy of the module's store, for a command that writes."""
    import sqlite3

    target = tmp_path / "copy.db"
    with sqlite3.connect(flow.db) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return str(target)


@covers("participants import")
def test_participants_import(flow: Flow, tmp_path: Path) -> None:
    file = SAMPLES / "acme-tools/participants.csv"
    with file.open(encoding="utf-8", newline="") as fh:
        people = len(list(csv.DictReader(fh)))
    code, out, _ = run(
        *("participants", "import", str(file), "--client", ACME),
        *("--db", _copy(flow, tmp_path), "--json"),
    )
    assert code == 0
    # imported once in the fixture: the same list again changes nothing
    assert strict(out) == {
        "client": "acme-tools",
        "file": str(file),
        "participants": people,
        "facts": 0,
        "notes": [],  # no title line, no total row: nothing skipped
    }


@covers("ledger redeem")
def test_ledger_redeem(flow: Flow) -> None:
    # costa-azul's points are available at once (pending_days: 0)
    who = flow.json("award costa-azul", 0)["awards"][0]["participant_id"]
    code, out, _ = run(
        *("ledger", "redeem", who, "10", "--client", COSTA, "--db", flow.db),
        *("--reference", "JSON-1", "--preview", "--json"),
    )
    assert code == 0, out
    assert strict(out) == {
        "participant": who,
        "points": 10,
        "reference": "JSON-1",
        "preview": True,
        "repeated": False,
    }


@covers("ledger reverse")
def test_ledger_reverse(flow: Flow) -> None:
    award = flow.json("award acme-tools", 0)["awards"][0]
    code, out, _ = run(
        *("ledger", "reverse", award["claim_id"], "--client", ACME, "--db", flow.db),
        *("--reason", "test", "--preview", "--json"),
    )
    assert code == 0, out
    data = strict(out)
    assert (data["claim_id"], data["points"], data["void"], data["preview"]) == (
        award["claim_id"],
        award["points"],
        True,
        True,
    )


@covers("ledger expire")
def test_ledger_expire(flow: Flow) -> None:
    code, out, _ = run(
        "ledger", "expire", "--client", ACME, "--db", flow.db, "--preview", "--json"
    )
    assert code == 0, out
    data = strict(out)
    assert (data["client"], data["points"], data["preview"]) == ("acme-tools", 0, True)
    assert date.fromisoformat(data["as_of"][:10]) >= date(2026, 1, 1)


@covers("export")
def test_export(flow: Flow, tmp_path: Path) -> None:
    out_file = tmp_path / "postings.csv"
    every = ("export", "awards", "--all-clients", "--db", flow.db)
    code, out, _ = run(*every, "--out", str(out_file), "--json")
    assert code == 0
    with out_file.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert strict(out) == {
        "what": "awards", "client": None, "file": str(out_file), "rows": len(rows)
    }  # fmt: skip
    posted = sum(flow.json(f"award {k}", 0)["computed"] for k in CLIENTS)
    assert len(rows) == posted
    # - writes the CSV to stdout and nothing else
    code, out, _ = run(*every, "--out", "-")
    assert code == 0 and out == out_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("what", ["claims", "awards"])
def test_export_one_client(flow: Flow, tmp_path: Path, what: str) -> None:
    """Two clients share the store: each export holds its client's rows
    only, and together they are the --all-clients file, row for row."""

    def exported(*args: str) -> list[dict[str, str]]:
        target = tmp_path / f"{what}-{len(list(tmp_path.iterdir()))}.csv"
        code, _, err = run("export", what, *args, "--db", flow.db, "--out", str(target))
        assert code == 0, err
        with target.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))

    every = exported("--all-clients")
    apart = {key: exported("--client", config) for key, config in CLIENTS.items()}
    for key, rows in apart.items():
        assert rows and {r["client"] for r in rows} == {key}
    assert {r["client"] for r in every} == set(CLIENTS)
    assert sorted(map(str, every)) == sorted(map(str, [*apart["acme-tools"],
                                                       *apart["costa-azul"]]))
    # neither filter, or both: refused before anything is written
    for args in ((), ("--all-clients", "--client", ACME)):
        code, out, err = run("export", what, *args, "--db", flow.db,
                             "--out", str(tmp_path / "never.csv"))  # fmt: skip
        assert (code, out) == (2, "")
        assert err.splitlines()[-1] == (
            "Error: export needs --client or --all-clients (one of them)"
        )
    assert not (tmp_path / "never.csv").exists()
    # a batch of the other client is refused, not exported empty
    code, _, err = run("export", what, "--client", COSTA, "--batch", "1",
                       "--db", flow.db, "--out", str(tmp_path / "never.csv"))  # fmt: skip
    with claimflow.Store.open(flow.db) as store:  # a file, or a schema on PostgreSQL
        where = store.name
    assert (code, err) == (
        2, f"claimflow: error: {where}: batch 1 is acme-tools's, not costa-azul's\n"
    )  # fmt: skip


@covers("notices write")
def test_notices_write(flow: Flow, tmp_path: Path) -> None:
    code, out, _ = run(
        "notices", "write", "--batch", "1", "--db", flow.db, "--out", str(tmp_path),
        "--json",
    )  # fmt: skip
    assert code == 0
    data = strict(out)
    assert data["batch"] == 1
    assert sorted(data["files"]) == sorted(str(p) for p in tmp_path.glob("*.txt"))


@covers("dedupe review")
def test_dedupe_review(flow: Flow, tmp_path: Path) -> None:
    target = tmp_path / "review.csv"
    code, out, _ = run(
        *("dedupe", "review", "--client", ACME, "--db", flow.db),
        *("--out", str(target), "--json"),
    )
    assert code == 0
    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert strict(out) == {"client": "acme-tools", "file": str(target),
                           "pairs": len(rows)}  # fmt: skip


@covers("entry sample")
def test_entry_sample(flow: Flow, tmp_path: Path) -> None:
    target = tmp_path / "audit.csv"
    code, out, _ = run(
        *("entry", "sample", "--batch", "1", "--db", flow.db),
        *("--max-error-rate", "0.5%", "--out", str(target), "--json"),
    )
    assert code == 0
    data = strict(out)
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = [(r["claim_id"], r["field"]) for r in csv.DictReader(fh)]
    assert [(f["claim_id"], f["field"]) for f in data["fields"]] == rows
    # zero errors in n fields shows p < 0.5% at 95% when 0.995**n <= 0.05
    n = 598
    assert 0.995**n <= 0.05 < 0.995 ** (n - 1)
    assert data["needed"] == n and len(rows) == min(n, len(rows))


@covers("entry adjudicate")
def test_entry_adjudicate(flow: Flow, tmp_path: Path) -> None:
    folder = SAMPLES / "acme-tools/double-entry"
    ana, ben = str(folder / "keying_ana.csv"), str(folder / "keying_ben.csv")
    decisions = tmp_path / "decisions.csv"
    run("entry", "compare", ana, ben, "--client", ACME, "--out", str(decisions))
    with decisions.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["decision"] = "first"
    with decisions.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out, err = run(
        *("entry", "adjudicate", str(decisions), ana, ben, "--client", ACME),
        *("--db", _copy(flow, tmp_path), "--keyed-by", "ana", "ben"),
        *("--final", str(tmp_path / "final.csv"), "--json"),
    )
    assert code == 0, err
    data = strict(out)
    assert data["errors"].get("ben", 0) == len(rows) - len(data["document_faults"])


@covers("event")
def test_event(flow: Flow, tmp_path: Path) -> None:
    code, out, err = run(
        *("event", "AC-1001", "escalated", "--db", _copy(flow, tmp_path)),
        *("--at", "2026-11-02T10:00Z", "--operator", "ann", "--json"),
    )
    assert code == 0, err
    assert strict(out) == {
        "claim_id": "7b0be037608e-r2",
        "event": "escalated",
        "at": "2026-11-02T10:00:00+00:00",
    }


@covers("qa")
def test_qa_import(flow: Flow, tmp_path: Path) -> None:
    checks = tmp_path / "checks.csv"
    checks.write_text(
        "operator,field,day,checked,errors\nana,sku,2026-10-20,40,1\n", "utf-8"
    )
    code, out, _ = run(
        "qa", "import", str(checks), "--client", ACME, "--db", _copy(flow, tmp_path),
        "--json",
    )  # fmt: skip
    assert code == 0
    assert strict(out) == {"file": str(checks), "imported": 1,
                           "already_imported": None}  # fmt: skip


@covers("report")
def test_report(flow: Flow) -> None:
    code, out, _ = run(
        *("report", "sla", "--client", ACME, "--db", flow.db),
        *("--period", "2026-10", "--as-of", NOW, "--json"),
    )
    assert code == 0
    data = strict(out)
    assert data["title"] and data["definitions"]
    assert all(isinstance(rows, list) for rows in data["tables"].values())


@covers("client check")
def test_client_check() -> None:
    code, out, _ = run("client", "check", COSTA, "--json")
    assert code == 0
    assert strict(out) == {
        "client": "costa-azul",
        "file": COSTA,
        "kind": "stay",
        "timezone": "Europe/Madrid",
        "rule_sets": ["2026"],
    }


@covers("samples")
def test_samples(tmp_path: Path) -> None:
    code, out, _ = run("samples", str(tmp_path / "s"), "--json")
    assert code == 0
    data = strict(out)
    assert data["clients"] == [str(tmp_path / f"s/clients/{k}.yaml") for k in CLIENTS]
    assert data["files"] == sum(1 for p in (tmp_path / "s").rglob("*") if p.is_file())


@covers("decide")
def test_decide(flow: Flow, tmp_path: Path) -> None:
    import sqlite3

    db = _copy(flow, tmp_path)
    with sqlite3.connect(db) as conn:
        claim_id, client = conn.execute(
            "SELECT id, client FROM claims WHERE outcome = 'review' ORDER BY rowid LIMIT 1"
        ).fetchone()
    config = ACME if client == "acme-tools" else COSTA
    code, out, err = run(
        *("decide", claim_id, "accept", "--reason", "checked the invoice"),
        *("--client", config, "--db", db, "--operator", "ann"),
        *("--at", "2026-12-01T10:00Z", "--json"),
    )  # fmt: skip
    assert code == 0, err
    data = strict(out)
    assert (data["claim_id"], data["decision"], data["outcome"]) == (
        claim_id, "accept", "accepted")  # fmt: skip
    assert (data["operator"], data["at"]) == ("ann", "2026-12-01T10:00:00+00:00")
    assert data["codes"] and data["reason"] == "checked the invoice"
