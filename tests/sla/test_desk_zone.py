"""Trial 15 (a desk in São Paulo): a time without an offset is the desk's on
every command, `queue` included; ingest's --at is its first response; a
decision is never before the first response."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from claimflow import ResolvedClient, Store, ingest, load_client
from claimflow.parse.participants import read_participants
from claimflow.sla.facts import claim_facts
from claimflow.sla.metrics import Window
from claimflow.sla.metrics import claim_facts as reference_facts
from tests.conftest import SAMPLES
from tests.test_cli import run

SP = ZoneInfo("America/Sao_Paulo")
HEADER = (
    "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
    "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
)
# received Thu Nov 19 17:00 at the desk; Fri Nov 20 is a national holiday
# (Consciência Negra), so the 5 business days are Nov 23..27
ROW = (
    "SP-1;300112457;José Núñez Peña;CAZ-MAD;MD4471999;10/11/2026;12/11/2026;"
    "400,00;EUR;BAR;Directo;F-88199;19/11/2026 17:00;sí\n"
)


@pytest.fixture
def desk(tmp_path: Path) -> tuple[ResolvedClient, str, str]:
    """A stay desk in São Paulo (09:00-18:00, Mon-Fri, Brazil's holidays)."""
    data = yaml.safe_load(
        (SAMPLES / "clients/costa-azul.yaml").read_text(encoding="utf-8")
    )
    data["timezone"] = "America/Sao_Paulo"
    data["calendar"] = {
        "country": "BR",
        "hours": {d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")},
    }
    data["sla"].update(turnaround_days=5, first_response_hours=8)
    config = tmp_path / "desk.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    claims = tmp_path / "stays.csv"
    claims.write_text(HEADER + ROW, encoding="utf-8")
    db = str(tmp_path / "c.db")
    code, _, err = run("ingest", str(claims), "--client", str(config), "--db", db,
                       "--at", "2026-11-23T10:00", "--json")  # fmt: skip
    assert code == 0, err
    return load_client(config), str(config), db


@pytest.mark.parametrize(
    ("as_of", "hours"),
    [
        # Mon 10-18 (8) + Tue, Wed, Thu, Fri 9 each = 44
        ("2026-11-23T10:00", 44.0),
        ("2026-11-23T10:00-03:00", 44.0),
        # 10:00 UTC is 07:00 at the desk, before it opens: all of Monday left
        ("2026-11-23T10:00Z", 9.0 + 4 * 9),
    ],
)
def test_queue_reads_a_time_without_an_offset_at_the_desk(
    desk: tuple[ResolvedClient, str, str], as_of: str, hours: float
) -> None:
    _, config, db = desk
    code, out, err = run("queue", "--client", config, "--db", db, "--as-of", as_of,
                         "--json")  # fmt: skip
    assert code == 0, err
    [row] = json.loads(out)
    assert (row["due_date"][:10], row["remaining_hours"]) == ("2026-11-27", hours)


def test_ingest_at_is_the_first_response(
    desk: tuple[ResolvedClient, str, str],
) -> None:
    """The trial's ingest --at left the first response at the real time."""
    client, _, db = desk
    with Store.open(db) as store:
        [row] = claim_facts(
            store, client, Window(), datetime(2026, 12, 3, tzinfo=SP)
        ).to_dict("records")
    assert row["first_response"] == datetime(2026, 11, 23, 10, tzinfo=SP)
    assert row["first_response_hours"] == 1 + 1  # Thu 17-18, Fri off, Mon 09-10


def test_a_decision_is_the_first_response_when_none_came_before(
    tmp_path: Path, desk: tuple[ResolvedClient, str, str]
) -> None:
    """Processed (responded) on Dec 3, but decided by an award run --at
    Tue Nov 24 12:00: the SLA report gave a 160 h first response for a
    claim decided in days. The decision answered the claim."""
    client, _, _ = desk
    with Store.open(tmp_path / "other.db") as store:
        ingest([tmp_path / "stays.csv"], client, store,
               processed_at=datetime(2026, 12, 3, 12, tzinfo=SP))  # fmt: skip
        cid = store.db.execute("SELECT id FROM claims").fetchone()[0]
        with store.transaction():
            store.add_events([(client.key, cid, None, "decided",
                               "2026-11-24T12:00:00-03:00", "ann")])  # fmt: skip
        for facts in (
            claim_facts(store, client, Window(), datetime(2026, 12, 4, tzinfo=SP)),
            reference_facts(store, client, Window(), datetime(2026, 12, 4, tzinfo=SP)),
        ):
            [row] = facts.to_dict("records")
            assert row["first_response"] == datetime(2026, 11, 24, 12, tzinfo=SP)
            # Thu 17-18 (1), Fri off, Mon 09-18 (9), Tue 09-12 (3)
            assert row["first_response_hours"] == 1 + 9 + 3


def test_sla_json_counts_are_integers(desk: tuple[ResolvedClient, str, str]) -> None:
    """Trial 15 #11: `report sla --json` printed "received": 7.0."""
    _, config, db = desk
    code, out, err = run("report", "sla", "--client", config, "--db", db, "--json",
                         "--as-of", "2026-11-23T10:00")  # fmt: skip
    assert code == 0, err
    [month] = [
        row
        for row in json.loads(out)["tables"]["By month"]
        if row["period"] == "2026-11"
    ]
    counts = {k: month[k] for k in ("received", "decided", "backlog", "breaches")}
    assert counts == {"received": 1, "decided": 0, "backlog": 1, "breaches": 0}
    assert all(type(v) is int for v in counts.values())


def test_export_awards_writes_every_instant_in_one_zone(
    tmp_path: Path, desk: tuple[ResolvedClient, str, str]
) -> None:
    """Trial 15 #11: awards came out in -03:00, redemptions in +00:00."""
    client, config, db = desk
    people = read_participants(SAMPLES / "costa-azul/participants.csv", client.key)
    with Store.open(db) as store, store.transaction():
        store.record_participants(list(people), date(2026, 11, 1), "ann",
                                  at=datetime(2026, 11, 1, tzinfo=SP))  # fmt: skip
    code, _, err = run("award", "--client", config, "--db", db,
                       "--at", "2026-12-01T10:00")  # fmt: skip
    assert code == 0, err
    code, _, err = run("ledger", "redeem", "300112457", "100", "--reference", "R-1",
                       "--client", config, "--db", db, "--at", "2026-12-02T09:00")  # fmt: skip
    assert code == 0, err
    out = tmp_path / "postings.csv"
    assert (
        run("export", "awards", "--client", config, "--db", db, "--out", str(out))[0]
        == 0
    )
    rows = [r.split(",") for r in out.read_text(encoding="utf-8-sig").splitlines()]
    header = rows[0]
    posted = [r[header.index("posted_at")] for r in rows[1:]]
    assert [r[header.index("entry_type")] for r in rows[1:]] == ["award", "redemption"]
    # 10:00 and 09:00 at the desk are 13:00 and 12:00 UTC
    assert posted == ["2026-12-01T13:00:00+00:00", "2026-12-02T12:00:00+00:00"]
