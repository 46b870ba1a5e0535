"""A Taipei stay desk around Taiwan's make-up Saturday 2025-02-08 (worked for
the Chinese New Year bridge Monday 2025-01-27): the SLA facts, both their
reference and vectorised computations, and `queue` count the Saturday.

Mon-Fri 09:00-18:00, turnaround 2 business days. Received Friday 2025-02-07
17:00: Friday, then Saturday (day 1), Monday (day 2): due Monday 2025-02-10
(Tuesday 02-11 with the Saturday closed). First response Monday 10:00:
Friday 1 + Saturday 9 + Monday 1 = 11 business hours (2 without Saturday).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from claimflow import ResolvedClient, Store, load_client
from claimflow.sla.facts import claim_facts
from claimflow.sla.metrics import Window
from claimflow.sla.metrics import claim_facts as reference_facts
from tests.conftest import SAMPLES
from tests.test_cli import run

TAIPEI = ZoneInfo("Asia/Taipei")
HEADER = (
    "Referencia;Nº socio;Nombre;Hotel;Confirmación;Llegada;Salida;"
    "Importe habitación;Moneda;Tarifa;Canal;Folio;Recibido;Folio adjunto\n"
)
ROW = (
    "TW-1;300112457;José Núñez Peña;CAZ-MAD;MD4471999;20/01/2025;22/01/2025;"
    "400,00;EUR;BAR;Directo;F-88199;07/02/2025 17:00;sí\n"
)


def _desk(tmp_path: Path, makeup: bool) -> tuple[ResolvedClient, str, str]:
    data = yaml.safe_load(
        (SAMPLES / "clients/costa-azul.yaml").read_text(encoding="utf-8")
    )
    data["timezone"] = "Asia/Taipei"
    data["calendar"] = {
        "country": "TW",
        "hours": {d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")},
        "makeup_working_days": makeup,
    }
    data["sla"].update(turnaround_days=2, first_response_hours=8)
    config = tmp_path / "desk.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    claims = tmp_path / "stays.csv"
    claims.write_text(HEADER + ROW, encoding="utf-8")
    db = str(tmp_path / "c.db")
    code, _, err = run("ingest", str(claims), "--client", str(config), "--db", db,
                       "--at", "2025-02-10T10:00", "--json")  # fmt: skip
    assert code == 0, err
    return load_client(config), str(config), db


@pytest.mark.parametrize(
    ("makeup", "due", "hours"),
    [(True, date(2025, 2, 10), 1 + 9 + 1), (False, date(2025, 2, 11), 1 + 1)],
)
def test_the_sla_facts_count_the_make_up_saturday(
    tmp_path: Path, makeup: bool, due: date, hours: float
) -> None:
    client, _, db = _desk(tmp_path, makeup)
    with Store.open(db) as store:
        for facts in (
            claim_facts(store, client, Window(), datetime(2025, 2, 12, tzinfo=TAIPEI)),
            reference_facts(
                store, client, Window(), datetime(2025, 2, 12, tzinfo=TAIPEI)
            ),
        ):
            [row] = facts.to_dict("records")
            assert row["due_date"].date() == due
            assert row["first_response_hours"] == hours


def test_queue_counts_the_saturdays_hours_left(tmp_path: Path) -> None:
    """As of Saturday 10:00: Saturday 10-18 (8) + Monday 9 = 17 hours left."""
    _, config, db = _desk(tmp_path, True)
    code, out, err = run("queue", "--client", config, "--db", db, "--as-of",
                         "2025-02-08T10:00", "--json")  # fmt: skip
    assert code == 0, err
    [row] = json.loads(out)
    assert (row["due_date"][:10], row["remaining_hours"]) == ("2025-02-10", 17.0)


def test_queue_refuses_make_up_days_without_hours_in_one_line(tmp_path: Path) -> None:
    """Short Fridays and `makeup_working_days: true`: which weekday's hours
    the Saturday keeps is not guessed; `queue` says so (exit 2, no traceback)."""
    _, config, db = _desk(tmp_path, False)
    data = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    data["calendar"]["hours"]["fri"] = "09:00-14:00"
    data["calendar"]["makeup_working_days"] = True
    Path(config).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = run("queue", "--client", config, "--db", db, "--as-of",
                         "2025-02-08T10:00")  # fmt: skip
    assert code == 2
    assert "Traceback" not in out + err
    assert "calendar.makeup_working_days: the holidays package lists make-up " \
        "working days for TW (2025-02-08 the last)" in err


def test_the_daily_and_weekly_packs_count_the_make_up_saturday(tmp_path: Path) -> None:
    """The undecided claim's decision day is NaT in the packs' day table: it
    rolls through the calendar as NaT (numpy's busday_offset does; the day
    table refused it at first). The weekly pack's 5 working days ending
    Monday 2025-02-10 are Wed 02-05, Thu 02-06, Fri 02-07, Sat 02-08 and
    Mon 02-10; the 5 before skip the New Year closure from Saturday 01-25 to
    Sunday 02-02: Wed 01-22, Thu 01-23, Fri 01-24, Mon 02-03, Tue 02-04."""
    _, config, db = _desk(tmp_path, True)
    code, out, err = run("report", "daily", "--client", config, "--db", db,
                         "--as-of", "2025-02-08T12:00", "--json")  # fmt: skip
    assert code == 0, err
    code, out, err = run("report", "weekly", "--client", config, "--db", db,
                         "--period", "2025-02-10", "--as-of", "2025-02-11T12:00",
                         "--json")  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert "the 5 working days 2025-02-05 to 2025-02-10" in report["period"]
    assert "plus working days" in report["period"]
    assert "(2025-01-22 to 2025-02-04)" in report["period"]
    days = report["tables"]["Day by day"]
    assert [row["day"] for row in days] == [
        "2025-02-05", "2025-02-06", "2025-02-07", "2025-02-08", "2025-02-10"
    ]  # fmt: skip
    assert [row["received"] for row in days] == [0, 0, 1, 0, 0]
    assert [row["backlog"] for row in days] == [0, 0, 1, 1, 1]
